// Whole-file helpers and path joining, on top of any FileSystem.
#include <atomic>

#include "io/file_system.h"

namespace pinpipe::io {

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string ParentDir(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Result<std::string> ReadFileToString(FileSystem* fs, const std::string& path) {
  PINPIPE_ASSIGN_OR_RETURN(auto file, fs->NewSequentialFile(path));
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    PINPIPE_ASSIGN_OR_RETURN(size_t n, file->Read(buf));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data) {
  static std::atomic<uint64_t> counter{0};
  std::string tmp = path + ".tmp-" + std::to_string(counter.fetch_add(1));
  {
    PINPIPE_ASSIGN_OR_RETURN(auto file, fs->NewWritableFile(tmp));
    Status st = file->Append(data);
    if (st.ok()) st = file->Sync();
    if (st.ok()) st = file->Close();
    if (!st.ok()) {
      (void)fs->Remove(tmp);
      return st;
    }
  }
  Status st = fs->Rename(tmp, path);
  if (!st.ok()) {
    (void)fs->Remove(tmp);
    return st;
  }
  return fs->SyncDir(ParentDir(path));
}

}  // namespace pinpipe::io
