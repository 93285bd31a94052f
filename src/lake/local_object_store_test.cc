#include "lake/local_object_store.h"

#include <gtest/gtest.h>

#include "lake/object_store.h"
#include "subprocess.h"

namespace pinpipe::lake {
namespace {

std::unique_ptr<ObjectStore> OpenLake(const testing::TempDir& dir) {
  auto store = OpenObjectStore("file:" + dir.File("lake"));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(store).value();
}

std::vector<std::string> Keys(const std::vector<ObjectInfo>& objects) {
  std::vector<std::string> keys;
  for (const auto& o : objects) keys.push_back(o.key);
  return keys;
}

TEST(LocalObjectStoreTest, PutGetListDeleteRoundTrip) {
  testing::TempDir dir;
  auto store = OpenLake(dir);
  ASSERT_TRUE(store->Put("raw/pins/dt=2026-11-26/hr=10/p=0/0-9.ndjson.zst", "abc").ok());
  ASSERT_TRUE(store->Put("raw/pins/dt=2026-11-26/hr=09/p=1/5-5.ndjson.zst", std::string(1000, 'x')).ok());
  ASSERT_TRUE(store->Put("clean/pins/dt=2026-11-26/part-0000.ndjson.zst", "").ok());

  auto got = store->Get("raw/pins/dt=2026-11-26/hr=10/p=0/0-9.ndjson.zst");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "abc");

  auto raw = store->List("raw/");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, (std::vector<ObjectInfo>{{"raw/pins/dt=2026-11-26/hr=09/p=1/5-5.ndjson.zst", 1000},
                                           {"raw/pins/dt=2026-11-26/hr=10/p=0/0-9.ndjson.zst", 3}}));
  auto all = store->List("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);

  ASSERT_TRUE(store->Delete("raw/pins/dt=2026-11-26/hr=10/p=0/0-9.ndjson.zst").ok());
  EXPECT_TRUE(store->Delete("raw/pins/dt=2026-11-26/hr=10/p=0/0-9.ndjson.zst").ok());  // idempotent
  auto missing = store->Get("raw/pins/dt=2026-11-26/hr=10/p=0/0-9.ndjson.zst");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("hr=10/p=0/0-9"), std::string::npos);
}

TEST(LocalObjectStoreTest, ListMatchesPlainStringPrefixes) {
  testing::TempDir dir;
  auto store = OpenLake(dir);
  for (const char* key : {"raw/pins/dt=2026-11-25/a", "raw/pins/dt=2026-11-26/a", "raw/pins/dt=2026-12-01/a",
                          "raw/pinsx/dt=2026-11-26/a"}) {
    ASSERT_TRUE(store->Put(key, "1").ok());
  }
  auto nov = store->List("raw/pins/dt=2026-11");
  ASSERT_TRUE(nov.ok());
  EXPECT_EQ(Keys(*nov), (std::vector<std::string>{"raw/pins/dt=2026-11-25/a", "raw/pins/dt=2026-11-26/a"}));
  auto none = store->List("raw/nothing/");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(LocalObjectStoreTest, PutReplacesAtomically) {
  testing::TempDir dir;
  auto store = OpenLake(dir);
  ASSERT_TRUE(store->Put("a/b", "old").ok());
  ASSERT_TRUE(store->Put("a/b", "new!").ok());
  EXPECT_EQ(*store->Get("a/b"), "new!");
  auto listed = store->List("a/");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, (std::vector<ObjectInfo>{{"a/b", 4}}));
}

TEST(LocalObjectStoreTest, TempFilesAreNeverListedAndCanBeRemoved) {
  testing::TempDir dir;
  auto opened = LocalObjectStore::Open(dir.File("lake"), io::PosixFileSystem());
  ASSERT_TRUE(opened.ok());
  auto& store = **opened;
  ASSERT_TRUE(store.Put("raw/pins/x", "1").ok());
  // What a writer killed between create and rename leaves behind.
  testing::WriteFile(dir.File("lake/raw/pins/.tmp-y-123-0"), "partial");
  auto listed = store.List("raw/");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(Keys(*listed), std::vector<std::string>{"raw/pins/x"});
  auto stray = store.StrayTempFiles("raw/");
  ASSERT_TRUE(stray.ok());
  EXPECT_EQ(*stray, std::vector<std::string>{"raw/pins/.tmp-y-123-0"});
  auto other = store.StrayTempFiles("clean/");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
  auto removed = store.RemoveStrayUploads("raw/");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1u);
  EXPECT_TRUE(store.StrayTempFiles("")->empty());
  EXPECT_EQ(*store.Get("raw/pins/x"), "1");
}

TEST(LocalObjectStoreTest, AnUploadAppearsWholeOnlyWhenPublished) {
  testing::TempDir dir;
  auto opened = LocalObjectStore::Open(dir.File("lake"), io::PosixFileSystem());
  ASSERT_TRUE(opened.ok());
  auto& store = **opened;
  ASSERT_TRUE(store.Put("clean/pins/part-0000", "old").ok());
  auto upload = store.StartUpload("clean/pins/part-0000");
  ASSERT_TRUE(upload.ok()) << upload.status().ToString();
  ASSERT_TRUE((*upload)->Append("new ").ok());
  ASSERT_TRUE((*upload)->Append("bytes").ok());
  EXPECT_EQ((*upload)->size(), 9u);
  // Until published: the old object, listed with its old size; the new
  // bytes are a temp file a crash would leave for RemoveStrayUploads.
  EXPECT_EQ(*store.Get("clean/pins/part-0000"), "old");
  EXPECT_EQ(*store.List("clean/"), (std::vector<ObjectInfo>{{"clean/pins/part-0000", 3}}));
  EXPECT_EQ(store.StrayTempFiles("clean/")->size(), 1u);
  ASSERT_TRUE((*upload)->Publish().ok());
  EXPECT_EQ((*upload)->size(), 9u);
  EXPECT_EQ(*store.Get("clean/pins/part-0000"), "new bytes");
  upload->reset();
  EXPECT_TRUE(store.StrayTempFiles("")->empty());
  EXPECT_EQ(*store.Get("clean/pins/part-0000"), "new bytes");
}

TEST(LocalObjectStoreTest, AnUploadDroppedUnpublishedLeavesNoTrace) {
  testing::TempDir dir;
  auto opened = LocalObjectStore::Open(dir.File("lake"), io::PosixFileSystem());
  ASSERT_TRUE(opened.ok());
  auto& store = **opened;
  {
    auto upload = store.StartUpload("clean/pins/part-0001");
    ASSERT_TRUE(upload.ok());
    ASSERT_TRUE((*upload)->Append("never seen").ok());
  }
  EXPECT_TRUE(store.List("")->empty());
  EXPECT_TRUE(store.StrayTempFiles("")->empty());
  EXPECT_EQ(store.Get("clean/pins/part-0001").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.StartUpload("clean/../x").status().code(), StatusCode::kInvalidArgument);
}

TEST(LocalObjectStoreTest, RejectsKeysThatEscapeOrHide) {
  testing::TempDir dir;
  auto store = OpenLake(dir);
  for (const char* key : {"", "/abs", "a//b", "a/../b", "a/./b", "a/.hidden", "trailing/"}) {
    EXPECT_EQ(store->Put(key, "x").code(), StatusCode::kInvalidArgument) << key;
  }
}

TEST(OpenObjectStoreTest, UrlForms) {
  testing::TempDir dir;
  EXPECT_TRUE(OpenObjectStore("file://" + dir.File("a")).ok());
  auto s3 = OpenObjectStore("s3://bucket/prefix");
  EXPECT_EQ(s3.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s3.status().message().find("not built yet"), std::string::npos);
  auto bad = OpenObjectStore("ftp://x");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("file:<dir>"), std::string::npos);
  EXPECT_EQ(OpenObjectStore("file:").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pinpipe::lake
