// The lake's front door: an object store shaped like S3 (whole-object put and
// get, sorted listing by key prefix, delete). The local directory backend is
// the embedded default; an S3 backend plugs in behind the same interface.
// Key layout: lake/key_layout.h. Compression: lake/zstd_codec.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::lake {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;  // bytes
  friend bool operator==(const ObjectInfo&, const ObjectInfo&) = default;
};

// Thread-safe. Keys are '/'-separated relative names ("raw/pins/dt=…/x.zst")
// with no empty, "." or ".." segments and no segment starting with '.'
// (the local backend keeps its temp files under such names); a bad key is
// kInvalidArgument.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Creates or replaces the object atomically: readers see the old bytes or
  // all new bytes, never a prefix. Durable when it returns OK.
  virtual Status Put(const std::string& key, std::string_view bytes) = 0;
  // The whole object; kNotFound (naming the key) when absent.
  virtual Result<std::string> Get(const std::string& key) = 0;
  // Every object whose key starts with `prefix` (a plain string prefix, as
  // in S3), sorted by key. Objects being written are never listed.
  virtual Result<std::vector<ObjectInfo>> List(const std::string& prefix) = 0;
  // Removes the object; OK when it does not exist (as in S3).
  virtual Status Delete(const std::string& key) = 0;

  // Removes what writes that died left under `prefix` (local temp files; an
  // S3 backend aborts incomplete multipart uploads). REQUIRES: no other
  // writer is writing under `prefix` now. Returns how many were removed.
  virtual Result<size_t> RemoveStrayUploads(const std::string& prefix) = 0;

  // Where this store lives, for messages ("file:/data/lake").
  virtual std::string Describe() const = 0;
};

struct ObjectStoreOptions {
  // Local backend: the file system to use (borrowed; must outlive the store).
  io::FileSystem* fs = io::PosixFileSystem();
};

// Opens the store a URL names:
//   file:<dir>                       local directory (created when missing)
//   s3://bucket/prefix?endpoint=...  not built yet: kInvalidArgument
// kInvalidArgument for any other form, with the accepted forms in the message.
Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& url,
                                                     const ObjectStoreOptions& options = {});

// kInvalidArgument unless `key` is a valid object key (see ObjectStore).
Status ValidateObjectKey(std::string_view key);

}  // namespace pinpipe::lake
