// Local-directory objects: temp file + fsync + rename + directory fsync.
#include "lake/local_object_store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "core/check.h"

namespace pinpipe::lake {
namespace {

constexpr std::string_view kTempPrefix = ".tmp-";

// True when the subtree at `dir` ("a/b", or "" for the root) can hold keys
// starting with `prefix`.
bool DirMayMatch(const std::string& dir, const std::string& prefix) {
  if (dir.empty()) return true;
  std::string with_slash = dir + "/";
  size_t n = std::min(with_slash.size(), prefix.size());
  return with_slash.compare(0, n, prefix, 0, n) == 0;
}

std::string Join(const std::string& dir, std::string_view name) {
  return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

}  // namespace

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("object key is empty");
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) slash = key.size();
    std::string_view seg = key.substr(start, slash - start);
    if (seg.empty() || seg == "." || seg == ".." || seg.front() == '.') {
      return Status::InvalidArgument("bad object key '" + std::string(key) +
                                     "': empty, '.' or '..' segment, or a segment starting with '.'");
    }
    if (seg.find('\0') != std::string_view::npos) {
      return Status::InvalidArgument("bad object key: contains a NUL byte");
    }
    start = slash + 1;
  }
  return Status::Ok();
}

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const std::string& root,
                                                                 io::FileSystem* fs) {
  if (root.empty()) return Status::InvalidArgument("lake directory is empty");
  std::string clean = root;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  PINPIPE_RETURN_IF_ERROR(fs->CreateDirs(clean).WithContext("create lake directory"));
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(clean, fs));
}

std::string LocalObjectStore::PathOf(std::string_view key) const { return io::JoinPath(root_, key); }

Status LocalObjectStore::EnsureDir(const std::string& relative_dir) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (relative_dir.empty() || known_dirs_.count(relative_dir) != 0) return Status::Ok();
  }
  // Create one level at a time from the top so each new entry's parent can be
  // fsynced; racing creators are harmless (CreateDirs is OK when it exists).
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = relative_dir.find('/', pos + 1);
    std::string level = relative_dir.substr(0, pos);
    PINPIPE_ASSIGN_OR_RETURN(bool exists, fs_->Exists(PathOf(level)));
    if (exists) continue;
    PINPIPE_RETURN_IF_ERROR(fs_->CreateDirs(PathOf(level)));
    PINPIPE_RETURN_IF_ERROR(fs_->SyncDir(io::ParentDir(PathOf(level))));
  }
  std::lock_guard<std::mutex> lock(mu_);
  known_dirs_.insert(relative_dir);
  return Status::Ok();
}

// A temp file beside the key until Publish renames it over the key.
class LocalObjectUpload final : public ObjectUpload {
 public:
  LocalObjectUpload(LocalObjectStore* store, std::string key, std::string dir, std::string tmp,
                    std::unique_ptr<io::WritableFile> file)
      : store_(store), key_(std::move(key)), dir_(std::move(dir)), tmp_(std::move(tmp)), file_(std::move(file)) {}
  ~LocalObjectUpload() override {
    if (file_ != nullptr) (void)file_->Close();
    if (!published_) (void)store_->fs_->Remove(tmp_);
  }

  Status Append(std::string_view bytes) override {
    PINPIPE_CHECK(file_ != nullptr);
    return file_->Append(bytes).WithContext("put " + key_);
  }
  uint64_t size() const override { return file_ != nullptr ? file_->Size() : size_; }

  Status Seal() override {
    if (file_ == nullptr) return sealed_;
    size_ = file_->Size();
    Status st = file_->Sync();
    Status closed = file_->Close();
    file_.reset();
    if (st.ok()) st = closed;
    if (!st.ok()) sealed_ = st.WithContext("put " + key_);
    return sealed_;
  }

  Status Publish() override {
    PINPIPE_CHECK(!published_);
    PINPIPE_RETURN_IF_ERROR(Seal());
    PINPIPE_RETURN_IF_ERROR(store_->fs_->Rename(tmp_, store_->PathOf(key_)).WithContext("put " + key_));
    published_ = true;
    return store_->fs_->SyncDir(store_->PathOf(dir_)).WithContext("put " + key_);
  }

 private:
  LocalObjectStore* const store_;
  const std::string key_, dir_, tmp_;
  std::unique_ptr<io::WritableFile> file_;  // null once sealed
  uint64_t size_ = 0;
  Status sealed_;  // a failed seal fails every later Seal and Publish
  bool published_ = false;
};

Result<std::unique_ptr<ObjectUpload>> LocalObjectStore::StartUpload(const std::string& key) {
  PINPIPE_RETURN_IF_ERROR(ValidateObjectKey(key));
  static std::atomic<uint64_t> counter{0};
  size_t slash = key.rfind('/');
  std::string dir = slash == std::string::npos ? "" : key.substr(0, slash);
  std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
  PINPIPE_RETURN_IF_ERROR(EnsureDir(dir));
  std::string tmp = PathOf(Join(dir, std::string(kTempPrefix) + name + "-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(counter.fetch_add(1))));
  auto file = fs_->NewWritableFile(tmp);
  if (!file.ok()) return file.status().WithContext("put " + key);
  return std::unique_ptr<ObjectUpload>(
      new LocalObjectUpload(this, key, std::move(dir), std::move(tmp), std::move(*file)));
}

Status LocalObjectStore::Put(const std::string& key, std::string_view bytes) {
  PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<ObjectUpload> upload, StartUpload(key));
  PINPIPE_RETURN_IF_ERROR(upload->Append(bytes));
  return upload->Publish();
}

Result<std::string> LocalObjectStore::Get(const std::string& key) {
  PINPIPE_RETURN_IF_ERROR(ValidateObjectKey(key));
  auto data = io::ReadFileToString(fs_, PathOf(key));
  if (!data.ok()) {
    if (data.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no object " + key + " in " + Describe());
    }
    return data.status().WithContext("get " + key);
  }
  return data;
}

Status LocalObjectStore::Walk(const std::string& relative_dir, const std::string& prefix,
                              std::vector<ObjectInfo>* objects, std::vector<std::string>* temps) {
  auto entries = fs_->ListDir(PathOf(relative_dir));
  if (!entries.ok()) {
    // A directory removed under us, or a prefix naming nothing: no objects.
    if (entries.status().code() == StatusCode::kNotFound) return Status::Ok();
    return entries.status();
  }
  for (const io::DirEntry& e : *entries) {
    std::string rel = Join(relative_dir, e.name);
    if (e.name.front() == '.') {
      if (temps != nullptr && !e.is_dir && e.name.starts_with(kTempPrefix) &&
          Join(relative_dir, e.name.substr(kTempPrefix.size())).starts_with(prefix)) {
        temps->push_back(rel);
      }
      continue;
    }
    if (e.is_dir) {
      if (DirMayMatch(rel, prefix)) PINPIPE_RETURN_IF_ERROR(Walk(rel, prefix, objects, temps));
      continue;
    }
    if (objects == nullptr || !rel.starts_with(prefix)) continue;
    auto size = fs_->FileSize(PathOf(rel));
    if (!size.ok()) {
      if (size.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
      return size.status();
    }
    objects->push_back({rel, *size});
  }
  return Status::Ok();
}

Result<std::vector<ObjectInfo>> LocalObjectStore::List(const std::string& prefix) {
  // Start at the deepest directory the prefix fully names.
  size_t slash = prefix.rfind('/');
  std::string start = slash == std::string::npos ? "" : prefix.substr(0, slash);
  if (!start.empty()) PINPIPE_RETURN_IF_ERROR(ValidateObjectKey(start));
  std::vector<ObjectInfo> out;
  PINPIPE_RETURN_IF_ERROR(Walk(start, prefix, &out, nullptr).WithContext("list " + prefix));
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Status LocalObjectStore::Delete(const std::string& key) {
  PINPIPE_RETURN_IF_ERROR(ValidateObjectKey(key));
  Status st = fs_->Remove(PathOf(key));
  if (st.code() == StatusCode::kNotFound) return Status::Ok();
  if (!st.ok()) return st.WithContext("delete " + key);
  return fs_->SyncDir(io::ParentDir(PathOf(key))).WithContext("delete " + key);
}

Result<std::vector<std::string>> LocalObjectStore::StrayTempFiles(const std::string& prefix) {
  size_t slash = prefix.rfind('/');
  std::string start = slash == std::string::npos ? "" : prefix.substr(0, slash);
  std::vector<std::string> temps;
  PINPIPE_RETURN_IF_ERROR(Walk(start, prefix, nullptr, &temps));
  std::sort(temps.begin(), temps.end());
  return temps;
}

Result<size_t> LocalObjectStore::RemoveStrayUploads(const std::string& prefix) {
  PINPIPE_ASSIGN_OR_RETURN(std::vector<std::string> temps, StrayTempFiles(prefix));
  for (const std::string& rel : temps) {
    Status st = fs_->Remove(PathOf(rel));
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
  }
  return temps.size();
}

}  // namespace pinpipe::lake
