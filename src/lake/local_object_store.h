// ObjectStore on a local directory: one file per object at <root>/<key>.
// Put and uploads write "<dir>/.tmp-<name>-<pid>-<n>", fsync it, rename it
// over the key and fsync the directory (and any directory they had to
// create), so an object is either absent or complete after a crash.
// Dot-names are never listed.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "io/file_system.h"
#include "lake/object_store.h"

namespace pinpipe::lake {

// Thread-safe.
class LocalObjectStore final : public ObjectStore {
 public:
  // Creates `root` when missing. `fs` is borrowed and must outlive the store.
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::string& root, io::FileSystem* fs);

  Status Put(const std::string& key, std::string_view bytes) override;
  Result<std::unique_ptr<ObjectUpload>> StartUpload(const std::string& key) override;
  Result<std::string> Get(const std::string& key) override;
  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override;
  Status Delete(const std::string& key) override;
  Result<size_t> RemoveStrayUploads(const std::string& prefix) override;
  std::string Describe() const override { return "file:" + root_; }

  // Paths (relative to the root) of temp files under `prefix` that a crashed
  // writer left behind; invisible to List.
  Result<std::vector<std::string>> StrayTempFiles(const std::string& prefix);

 private:
  friend class LocalObjectUpload;
  LocalObjectStore(std::string root, io::FileSystem* fs) : root_(std::move(root)), fs_(fs) {}
  // Creates `dir` (under root_) and its missing parents, syncing each parent
  // whose entries changed.
  Status EnsureDir(const std::string& relative_dir);
  // Walks relative_dir recursively: objects whose key starts with `prefix`
  // go to `objects`, temp files to `temps` (either may be null).
  Status Walk(const std::string& relative_dir, const std::string& prefix,
              std::vector<ObjectInfo>* objects, std::vector<std::string>* temps);
  std::string PathOf(std::string_view key) const;

  const std::string root_;
  io::FileSystem* const fs_;
  std::mutex mu_;
  std::set<std::string> known_dirs_;  // guarded by mu_: relative dirs known to exist durably
};

}  // namespace pinpipe::lake
