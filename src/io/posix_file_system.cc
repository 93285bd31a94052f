// PosixFileSystem: the syscalls behind the FileSystem interface. Errors carry
// the path and strerror(errno).
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/file_system.h"

namespace pinpipe::io {
namespace {

Status Errno(std::string_view what, const std::string& path, int err) {
  std::string msg(what);
  msg += " ";
  msg += path;
  msg += ": ";
  msg += std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(msg));
  if (err == EEXIST) return Status::AlreadyExists(std::move(msg));
  if (err == EWOULDBLOCK) return Status::Unavailable(std::move(msg));
  return Status::IOError(std::move(msg));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size, bool owns_fd)
      : path_(std::move(path)), fd_(fd), size_(size), owns_fd_(owns_fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0 && owns_fd_) ::close(fd_);
  }
  Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      size_ += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (!owns_fd_) return Status::Ok();  // stdout: nothing to make durable
    if (::fdatasync(fd_) != 0) return Errno("fdatasync", path_, errno);
    return Status::Ok();
  }
  Status Close() override {
    if (fd_ < 0 || !owns_fd_) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Errno("close", path_, errno);
    return Status::Ok();
  }
  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
  bool owns_fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) const override {
    size_t done = 0;
    while (done < buf.size()) {
      ssize_t n = ::pread(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("pread", path_, errno);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }
  Result<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Errno("fstat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  std::string path_;
  int fd_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd, bool owns_fd)
      : path_(std::move(path)), fd_(fd), owns_fd_(owns_fd) {}
  ~PosixSequentialFile() override {
    if (owns_fd_) ::close(fd_);
  }
  Result<size_t> Read(std::span<char> buf) override {
    for (;;) {
      ssize_t n = ::read(fd_, buf.data(), buf.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return Errno("read", path_, errno);
    }
  }

 private:
  std::string path_;
  int fd_;
  bool owns_fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

class Posix final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("create", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, 0, true));
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("open for append", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return Errno("fstat", path, err);
    }
    return std::unique_ptr<WritableFile>(
        new PosixWritableFile(path, fd, static_cast<uint64_t>(st.st_size), true));
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("open", path, errno);
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd));
  }
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("open", path, errno);
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(path, fd, true));
  }
  Result<bool> Exists(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return Errno("stat", path, errno);
  }
  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Errno("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }
  Result<int64_t> ModifiedMicros(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Errno("stat", path, errno);
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1000;
  }
  Result<std::vector<DirEntry>> ListDir(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return Errno("opendir", path, errno);
    std::vector<DirEntry> out;
    while (struct dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st;
        is_dir = ::stat(JoinPath(path, name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      }
      out.push_back({std::string(name), is_dir});
    }
    ::closedir(dir);
    return out;
  }
  Status CreateDirs(const std::string& path) override {
    if (path.empty()) return Status::Ok();
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return Status::Ok();
      return Status::AlreadyExists(path + " exists and is not a directory");
    }
    std::string parent = ParentDir(path);
    if (parent != path && parent != "." && parent != "/") PINPIPE_RETURN_IF_ERROR(CreateDirs(parent));
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return Errno("mkdir", path, errno);
    return Status::Ok();
  }
  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Errno("open dir", path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return Errno("fsync dir", path, err);
    return Status::Ok();
  }
  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Errno("unlink", path, errno);
    return Status::Ok();
  }
  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return Errno("rmdir", path, errno);
    return Status::Ok();
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Errno("rename to " + to, from, errno);
    return Status::Ok();
  }
  Status Truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return Errno("truncate", path, errno);
    return Status::Ok();
  }
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("open lock", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return Status::Unavailable("another process holds the lock " + path);
      }
      return Errno("flock", path, err);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }
};

}  // namespace

FileSystem* PosixFileSystem() {
  static Posix* fs = new Posix();
  return fs;
}

std::unique_ptr<SequentialFile> StdinFile() {
  return std::make_unique<PosixSequentialFile>("<stdin>", STDIN_FILENO, false);
}

std::unique_ptr<WritableFile> StdoutFile() {
  return std::make_unique<PosixWritableFile>("<stdout>", STDOUT_FILENO, 0, false);
}

}  // namespace pinpipe::io
