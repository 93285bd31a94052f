#include "io/fault_injecting_file_system.h"

#include <gtest/gtest.h>

#include "subprocess.h"

namespace pinpipe::io {
namespace {

using ::pinpipe::testing::TempDir;

std::string Read(const std::string& path) {
  auto s = ReadFileToString(PosixFileSystem(), path);
  return s.ok() ? *s : "<" + s.status().ToString() + ">";
}

TEST(FaultInjectingFileSystemTest, DropKeepsOnlySyncedBytes) {
  TempDir tmp;
  FaultInjectingFileSystem fs(PosixFileSystem());
  std::string path = tmp.File("a");
  auto f = *fs.NewWritableFile(path);
  ASSERT_TRUE(f->Append("synced").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(fs.SyncDir(tmp.path()).ok());
  ASSERT_TRUE(f->Append("+lost").ok());
  EXPECT_EQ(fs.UnsyncedBytes(path), 5u);
  EXPECT_EQ(Read(path), "synced+lost");
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_EQ(Read(path), "synced");
  EXPECT_EQ(fs.UnsyncedBytes(path), 0u);
  // A writer open across the cut is stale (its process would be gone); a new one appends.
  EXPECT_EQ(f->Append("!").code(), StatusCode::kIOError);
  auto g = *fs.NewAppendableFile(path);
  ASSERT_TRUE(g->Append("!").ok());
  EXPECT_EQ(Read(path), "synced!");
}

TEST(FaultInjectingFileSystemTest, FileWithoutDurableDirectoryEntryDisappears) {
  TempDir tmp;
  FaultInjectingFileSystem fs(PosixFileSystem());
  auto f = *fs.NewWritableFile(tmp.File("new"));
  ASSERT_TRUE(f->Append("data").ok());
  ASSERT_TRUE(f->Sync().ok());  // data synced, but the directory never was
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_FALSE(*PosixFileSystem()->Exists(tmp.File("new")));
}

TEST(FaultInjectingFileSystemTest, PreexistingFilesCountAsSynced) {
  TempDir tmp;
  ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), tmp.File("old"), "before").ok());
  FaultInjectingFileSystem fs(PosixFileSystem());
  auto f = *fs.NewAppendableFile(tmp.File("old"));
  EXPECT_EQ(f->Size(), 6u);
  ASSERT_TRUE(f->Append(" after").ok());
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_EQ(Read(tmp.File("old")), "before");
}

TEST(FaultInjectingFileSystemTest, AtomicWriteSurvivesAndUnsyncedRenameDoesNot) {
  TempDir tmp;
  FaultInjectingFileSystem fs(PosixFileSystem());
  ASSERT_TRUE(WriteFileAtomically(&fs, tmp.File("meta"), "v1").ok());
  {
    auto f = *fs.NewWritableFile(tmp.File("tmp"));
    ASSERT_TRUE(f->Append("v2").ok());
    ASSERT_TRUE(f->Sync().ok());
  }
  ASSERT_TRUE(fs.Rename(tmp.File("tmp"), tmp.File("other")).ok());
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_EQ(Read(tmp.File("meta")), "v1");
  EXPECT_FALSE(*PosixFileSystem()->Exists(tmp.File("other")));
}

TEST(FaultInjectingFileSystemTest, InjectedWriteErrorWithPartialWrite) {
  TempDir tmp;
  FaultInjectingFileSystem fs(PosixFileSystem());
  fs.FailWrites({.path_contains = "seg", .skip = 1, .times = 1, .partial_bytes = 3});
  auto f = *fs.NewWritableFile(tmp.File("seg"));
  auto other = *fs.NewWritableFile(tmp.File("other"));
  EXPECT_TRUE(other->Append("fine").ok());  // path does not match
  EXPECT_TRUE(f->Append("one").ok());       // skipped
  Status st = f->Append("two-three");
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_NE(st.message().find("injected"), std::string::npos);
  EXPECT_TRUE(f->Append("!").ok());  // times = 1
  EXPECT_EQ(Read(tmp.File("seg")), "onetwo!");
}

TEST(FaultInjectingFileSystemTest, InjectedSyncErrorLeavesDataUnsynced) {
  TempDir tmp;
  FaultInjectingFileSystem fs(PosixFileSystem());
  fs.FailSyncs({.path_contains = "", .skip = 0, .times = -1, .partial_bytes = 0});
  auto f = *fs.NewWritableFile(tmp.File("a"));
  ASSERT_TRUE(f->Append("x").ok());
  EXPECT_EQ(f->Sync().code(), StatusCode::kIOError);
  EXPECT_EQ(fs.SyncDir(tmp.path()).code(), StatusCode::kIOError);
  EXPECT_EQ(fs.UnsyncedBytes(tmp.File("a")), 1u);
  fs.ClearFaults();
  EXPECT_TRUE(f->Sync().ok());
  EXPECT_EQ(fs.UnsyncedBytes(tmp.File("a")), 0u);
  EXPECT_EQ(fs.SyncCount(), 1u);
}

TEST(FaultInjectingFileSystemTest, CrashDropsAndRefusesWritesUntilRestart) {
  TempDir tmp;
  FaultInjectingFileSystem fs(PosixFileSystem());
  ASSERT_TRUE(fs.CreateDirs(tmp.File("d")).ok());
  auto f = *fs.NewWritableFile(tmp.File("d/a"));
  ASSERT_TRUE(f->Append("kept").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(fs.SyncDir(tmp.File("d")).ok());
  ASSERT_TRUE(f->Append("lost").ok());
  ASSERT_TRUE(fs.Crash().ok());
  EXPECT_EQ(f->Append("after").code(), StatusCode::kIOError);
  EXPECT_EQ(f->Sync().code(), StatusCode::kIOError);
  EXPECT_FALSE(fs.NewWritableFile(tmp.File("d/b")).ok());
  EXPECT_EQ(Read(tmp.File("d/a")), "kept");
  fs.Restart();
  auto g = *fs.NewAppendableFile(tmp.File("d/a"));
  EXPECT_TRUE(g->Append("+").ok());
  EXPECT_EQ(Read(tmp.File("d/a")), "kept+");
}

TEST(FaultInjectingFileSystemTest, TruncateShrinksTheSyncedSize) {
  TempDir tmp;
  FaultInjectingFileSystem fs(PosixFileSystem());
  auto f = *fs.NewWritableFile(tmp.File("a"));
  ASSERT_TRUE(fs.SyncDir(tmp.path()).ok());
  ASSERT_TRUE(f->Append("0123456789").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(fs.Truncate(tmp.File("a"), 4).ok());
  ASSERT_TRUE(f->Append("xy").ok());
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_EQ(Read(tmp.File("a")), "0123");
}

}  // namespace
}  // namespace pinpipe::io
