#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "io/file_system.h"

namespace pinpipe::io {
namespace {

class PosixFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pinpipe-io-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  FileSystem* fs_ = PosixFileSystem();
  std::string dir_;
};

TEST_F(PosixFileSystemTest, AppendReadBack) {
  std::string path = JoinPath(dir_, "a.bin");
  {
    auto f = fs_->NewWritableFile(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("hello ").ok());
    ASSERT_TRUE((*f)->Append("world").ok());
    EXPECT_EQ((*f)->Size(), 11u);
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  auto g = fs_->NewAppendableFile(path);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->Size(), 11u);
  ASSERT_TRUE((*g)->Append("!").ok());
  auto r = fs_->NewRandomAccessFile(path);
  ASSERT_TRUE(r.ok());
  char buf[32];
  auto n = (*r)->ReadAt(6, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "world!");
  EXPECT_EQ(*ReadFileToString(fs_, path), "hello world!");
}

TEST_F(PosixFileSystemTest, MissingFileIsNotFound) {
  auto r = fs_->NewRandomAccessFile(JoinPath(dir_, "nope"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nope"), std::string::npos);
}

TEST_F(PosixFileSystemTest, DirsListRenameRemoveTruncate) {
  std::string sub = JoinPath(dir_, "x/y/z");
  ASSERT_TRUE(fs_->CreateDirs(sub).ok());
  ASSERT_TRUE(fs_->CreateDirs(sub).ok());
  ASSERT_TRUE(WriteFileAtomically(fs_, JoinPath(sub, "f"), "12345").ok());
  ASSERT_TRUE(fs_->Rename(JoinPath(sub, "f"), JoinPath(sub, "g")).ok());
  auto list = fs_->ListDir(sub);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);  // the temp file is gone
  EXPECT_EQ((*list)[0].name, "g");
  ASSERT_TRUE(fs_->Truncate(JoinPath(sub, "g"), 2).ok());
  EXPECT_EQ(*fs_->FileSize(JoinPath(sub, "g")), 2u);
  ASSERT_TRUE(fs_->Remove(JoinPath(sub, "g")).ok());
  EXPECT_FALSE(*fs_->Exists(JoinPath(sub, "g")));
  auto top = fs_->ListDir(dir_);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 1u);
  EXPECT_TRUE((*top)[0].is_dir);
}

TEST_F(PosixFileSystemTest, LockIsExclusive) {
  std::string path = JoinPath(dir_, "LOCK");
  auto first = fs_->Lock(path);
  ASSERT_TRUE(first.ok());
  auto second = fs_->Lock(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  first->reset();
  EXPECT_TRUE(fs_->Lock(path).ok());
}

TEST(PathTest, JoinAndParent) {
  EXPECT_EQ(JoinPath("a/b", "c"), "a/b/c");
  EXPECT_EQ(JoinPath("a/b/", "c"), "a/b/c");
  EXPECT_EQ(ParentDir("a/b/c"), "a/b");
  EXPECT_EQ(ParentDir("c"), ".");
  EXPECT_EQ(ParentDir("/c"), "/");
}

}  // namespace
}  // namespace pinpipe::io
