// A FileSystem wrapper for crash tests (after leveldb's fault_injection_test):
// it remembers how much of each file was synced and which directory entries
// were made durable, so DropUnsyncedData() can leave the disk as a power cut
// would; and it fails chosen writes or syncs on demand.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/file_system.h"

namespace pinpipe::io {

// Thread-safe. Wraps `base` (borrowed; usually PosixFileSystem()).
//
// Model: a file's bytes up to its last Sync() survive DropUnsyncedData(); a
// file created (or renamed into place) survives only if SyncDir() of its
// directory ran after that. Files that existed before the wrapper first saw
// them count as synced. Approximations: Truncate and Remove take effect at
// once (as if synced); a rename that was not made durable loses its target
// and does not bring the source back.
class FaultInjectingFileSystem final : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem* base) : base_(base) {}

  // A fault applies to calls on paths containing `path_contains` (empty: all):
  // it lets `skip` matching calls through, then fails the next `times` of them
  // (-1: every one) with kIOError. A failing write first lets `partial_bytes`
  // of its data reach the file, as a short write would.
  struct Fault {
    std::string path_contains;
    int skip = 0;
    int times = 1;
    size_t partial_bytes = 0;
  };
  void FailWrites(const Fault& fault);
  void FailSyncs(const Fault& fault);  // file Sync() and SyncDir()
  void ClearFaults();

  // Truncates every file back to its synced size and removes files whose
  // directory entry is not durable. Writable files open on a file it cut
  // fail from then on (their process would be gone); reopen them.
  Status DropUnsyncedData();
  // A power cut: DropUnsyncedData(), then every later write, sync, create,
  // rename, truncate and remove fails with kIOError until Restart(). Lets a
  // test destroy the objects that were "running" without their shutdown
  // writes reaching the disk.
  Status Crash();
  void Restart();

  // Bytes appended to `path` since its last sync (0 for unknown files).
  uint64_t UnsyncedBytes(const std::string& path) const;
  // Successful file Sync() calls so far.
  uint64_t SyncCount() const;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    return base_->NewSequentialFile(path);
  }
  Result<bool> Exists(const std::string& path) override { return base_->Exists(path); }
  Result<uint64_t> FileSize(const std::string& path) override { return base_->FileSize(path); }
  Result<int64_t> ModifiedMicros(const std::string& path) override { return base_->ModifiedMicros(path); }
  Result<std::vector<DirEntry>> ListDir(const std::string& path) override { return base_->ListDir(path); }
  Status CreateDirs(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Status Remove(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path) override { return base_->Lock(path); }

 private:
  friend class FaultInjectingWritableFile;
  struct FileState {
    uint64_t size = 0;
    uint64_t synced_size = 0;
    bool entry_durable = false;
    uint64_t generation = 0;  // changes when a drop cuts the file
  };
  struct ArmedFault {
    Fault fault;
    int seen = 0;
    int fired = 0;
  };

  // REQUIRES: mu_ held. Whether the next matching call on `path` fails.
  bool Trips(std::vector<ArmedFault>& faults, const std::string& path, size_t* partial);
  Status DownError(const std::string& what, const std::string& path) const;
  // The writable file's operations, under mu_.
  Status FileAppend(WritableFile* base, const std::string& path, uint64_t generation, std::string_view data);
  Status FileSync(WritableFile* base, const std::string& path, uint64_t generation);
  // REQUIRES: mu_ held. The state of a file a writer opened at `generation`, or null if cut since.
  FileState* Live(const std::string& path, uint64_t generation);
  Result<std::unique_ptr<WritableFile>> Wrap(const std::string& path, Result<std::unique_ptr<WritableFile>> base,
                                             FileState state);

  FileSystem* base_;
  mutable std::mutex mu_;
  std::map<std::string, FileState> files_;
  std::vector<ArmedFault> write_faults_;
  std::vector<ArmedFault> sync_faults_;
  bool down_ = false;
  uint64_t generations_ = 0;
  uint64_t sync_count_ = 0;
};

}  // namespace pinpipe::io
