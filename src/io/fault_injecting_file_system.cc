// FaultInjectingFileSystem: durability bookkeeping and injected failures.
#include "io/fault_injecting_file_system.h"

namespace pinpipe::io {

class FaultInjectingWritableFile final : public WritableFile {
 public:
  FaultInjectingWritableFile(FaultInjectingFileSystem* fs, std::string path, uint64_t generation,
                             std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), generation_(generation), base_(std::move(base)) {}
  Status Append(std::string_view data) override { return fs_->FileAppend(base_.get(), path_, generation_, data); }
  Status Sync() override { return fs_->FileSync(base_.get(), path_, generation_); }
  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultInjectingFileSystem* fs_;
  std::string path_;
  uint64_t generation_;
  std::unique_ptr<WritableFile> base_;
};

void FaultInjectingFileSystem::FailWrites(const Fault& fault) {
  std::lock_guard lock(mu_);
  write_faults_.push_back({fault});
}

void FaultInjectingFileSystem::FailSyncs(const Fault& fault) {
  std::lock_guard lock(mu_);
  sync_faults_.push_back({fault});
}

void FaultInjectingFileSystem::ClearFaults() {
  std::lock_guard lock(mu_);
  write_faults_.clear();
  sync_faults_.clear();
}

bool FaultInjectingFileSystem::Trips(std::vector<ArmedFault>& faults, const std::string& path, size_t* partial) {
  for (ArmedFault& f : faults) {
    if (!f.fault.path_contains.empty() && path.find(f.fault.path_contains) == std::string::npos) continue;
    if (f.seen++ < f.fault.skip) continue;
    if (f.fault.times >= 0 && f.fired >= f.fault.times) continue;
    ++f.fired;
    if (partial != nullptr) *partial = f.fault.partial_bytes;
    return true;
  }
  return false;
}

Status FaultInjectingFileSystem::DownError(const std::string& what, const std::string& path) const {
  return Status::IOError(what + " " + path + ": file system is down (simulated power cut)");
}

FaultInjectingFileSystem::FileState* FaultInjectingFileSystem::Live(const std::string& path, uint64_t generation) {
  auto it = files_.find(path);
  return it != files_.end() && it->second.generation == generation ? &it->second : nullptr;
}

Status FaultInjectingFileSystem::FileAppend(WritableFile* base, const std::string& path, uint64_t generation,
                                            std::string_view data) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("write", path);
  FileState* state = Live(path, generation);
  if (state == nullptr) return Status::IOError("write " + path + ": file was cut or removed since it was opened");
  size_t partial = 0;
  const bool fail = Trips(write_faults_, path, &partial);
  std::string_view reach = fail ? data.substr(0, std::min(partial, data.size())) : data;
  Status st = base->Append(reach);
  if (st.ok()) state->size += reach.size();
  if (!st.ok()) return st;
  if (fail) return Status::IOError("write " + path + ": injected write error");
  return Status::Ok();
}

Status FaultInjectingFileSystem::FileSync(WritableFile* base, const std::string& path, uint64_t generation) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("fdatasync", path);
  FileState* state = Live(path, generation);
  if (state == nullptr) return Status::IOError("fdatasync " + path + ": file was cut or removed since it was opened");
  if (Trips(sync_faults_, path, nullptr)) return Status::IOError("fdatasync " + path + ": injected sync error");
  state->synced_size = state->size;
  ++sync_count_;
  return Status::Ok();  // durability is modelled, so the real fdatasync is skipped (tests stay fast)
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::Wrap(const std::string& path,
                                                                      Result<std::unique_ptr<WritableFile>> base,
                                                                      FileState state) {
  if (!base.ok()) return base.status();
  if (state.generation == 0) state.generation = ++generations_;
  files_[path] = state;
  return std::unique_ptr<WritableFile>(
      new FaultInjectingWritableFile(this, path, state.generation, std::move(base).value()));
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::NewWritableFile(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("create", path);
  PINPIPE_ASSIGN_OR_RETURN(bool existed, base_->Exists(path));
  auto it = files_.find(path);
  FileState state{.size = 0, .synced_size = 0, .entry_durable = it != files_.end() ? it->second.entry_durable : existed};
  return Wrap(path, base_->NewWritableFile(path), state);
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::NewAppendableFile(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("open for append", path);
  PINPIPE_ASSIGN_OR_RETURN(bool existed, base_->Exists(path));
  auto base = base_->NewAppendableFile(path);
  if (!base.ok()) return base.status();
  auto it = files_.find(path);
  FileState state;
  if (it != files_.end()) {
    state = it->second;
  } else {
    state.size = state.synced_size = (*base)->Size();  // bytes from before we watched count as synced
    state.entry_durable = existed;
  }
  return Wrap(path, std::move(base), state);
}

Status FaultInjectingFileSystem::CreateDirs(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("mkdir", path);
  return base_->CreateDirs(path);
}

Status FaultInjectingFileSystem::SyncDir(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("fsync dir", path);
  if (Trips(sync_faults_, path, nullptr)) return Status::IOError("fsync dir " + path + ": injected sync error");
  for (auto& [file, state] : files_) {
    if (ParentDir(file) == ParentDir(JoinPath(path, "x"))) state.entry_durable = true;
  }
  return Status::Ok();
}

Status FaultInjectingFileSystem::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("unlink", path);
  PINPIPE_RETURN_IF_ERROR(base_->Remove(path));
  files_.erase(path);
  return Status::Ok();
}

Status FaultInjectingFileSystem::RemoveDir(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("rmdir", path);
  return base_->RemoveDir(path);
}

Status FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("rename", from);
  PINPIPE_ASSIGN_OR_RETURN(uint64_t size, base_->FileSize(from));
  PINPIPE_RETURN_IF_ERROR(base_->Rename(from, to));
  FileState state{.size = size, .synced_size = size, .entry_durable = false};
  if (auto it = files_.find(from); it != files_.end()) {
    state = it->second;
    state.entry_durable = false;
    files_.erase(it);
  }
  files_[to] = state;
  return Status::Ok();
}

Status FaultInjectingFileSystem::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  if (down_) return DownError("truncate", path);
  PINPIPE_RETURN_IF_ERROR(base_->Truncate(path, size));
  if (auto it = files_.find(path); it != files_.end()) {
    it->second.size = size;
    it->second.synced_size = std::min(it->second.synced_size, size);
  }
  return Status::Ok();
}

Status FaultInjectingFileSystem::DropUnsyncedData() {
  std::lock_guard lock(mu_);
  Status first;
  for (auto it = files_.begin(); it != files_.end();) {
    auto& [path, state] = *it;
    Status st;
    if (!state.entry_durable) {
      st = base_->Remove(path);
      if (st.code() == StatusCode::kNotFound) st = Status::Ok();
      if (st.ok()) {
        it = files_.erase(it);
        continue;
      }
    } else if (state.size > state.synced_size) {
      st = base_->Truncate(path, state.synced_size);
      if (st.ok()) {
        state.size = state.synced_size;
        state.generation = ++generations_;
      }
    }
    if (first.ok() && !st.ok()) first = st;
    ++it;
  }
  return first;
}

Status FaultInjectingFileSystem::Crash() {
  Status st = DropUnsyncedData();
  std::lock_guard lock(mu_);
  down_ = true;
  return st;
}

void FaultInjectingFileSystem::Restart() {
  std::lock_guard lock(mu_);
  down_ = false;
}

uint64_t FaultInjectingFileSystem::UnsyncedBytes(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second.size - it->second.synced_size;
}

uint64_t FaultInjectingFileSystem::SyncCount() const {
  std::lock_guard lock(mu_);
  return sync_count_;
}

}  // namespace pinpipe::io
