// The only seam through which pinpipe touches files. PosixFileSystem does the
// syscalls; FaultInjectingFileSystem (tests) can drop unsynced bytes the way a
// power cut would, so crash-safety is tested without crashing anything.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace pinpipe::io {

// Externally serialized: one thread at a time per file object.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes every byte appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes in the file, counting what was appended and not yet synced.
  virtual uint64_t Size() const = 0;
};

// Thread-safe: positional reads share no state.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to buf.size() bytes at `offset`; fewer only at end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) const = 0;
  virtual Result<uint64_t> Size() const = 0;
};

// Externally serialized.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to buf.size() bytes; 0 means end of input.
  virtual Result<size_t> Read(std::span<char> buf) = 0;
};

// Holds an advisory exclusive lock until destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

struct DirEntry {
  std::string name;
  bool is_dir = false;
};

// Thread-safe.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates or truncates.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Creates if missing; appends after existing bytes.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) = 0;

  virtual Result<bool> Exists(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Modification time, microseconds since the epoch.
  virtual Result<int64_t> ModifiedMicros(const std::string& path) = 0;
  // Names in a directory (no "." or ".."), unsorted.
  virtual Result<std::vector<DirEntry>> ListDir(const std::string& path) = 0;
  // Creates the directory and its missing parents; OK if it exists.
  virtual Status CreateDirs(const std::string& path) = 0;
  // fsyncs a directory, making creates, renames and removes in it durable.
  virtual Status SyncDir(const std::string& path) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status RemoveDir(const std::string& path) = 0;
  // Atomic replace within one file system.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  // Exclusive advisory lock on `path` (created if missing). kUnavailable when
  // another process holds it.
  virtual Result<std::unique_ptr<FileLock>> Lock(const std::string& path) = 0;
};

// The real file system; never null, never freed.
FileSystem* PosixFileSystem();

// Standard input and output as files, for `-` arguments.
std::unique_ptr<SequentialFile> StdinFile();
std::unique_ptr<WritableFile> StdoutFile();

// Reads a whole file (small files only: configs, tokens, test fixtures).
Result<std::string> ReadFileToString(FileSystem* fs, const std::string& path);
// Writes a whole file durably: temp file, fsync, rename, fsync directory.
Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data);

// "a/b" + "c" -> "a/b/c"; the parent directory of a path ("." when none).
std::string JoinPath(std::string_view dir, std::string_view name);
std::string ParentDir(std::string_view path);

}  // namespace pinpipe::io
