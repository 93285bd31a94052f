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

// An object written in pieces that no reader sees until Publish makes it
// appear whole under its key (local backend: a temp file renamed; an S3
// backend: a multipart upload completed). Destroying it unpublished
// discards it. Owned by one thread.
class ObjectUpload {
 public:
  virtual ~ObjectUpload() = default;
  virtual Status Append(std::string_view bytes) = 0;
  virtual uint64_t size() const = 0;  // bytes appended so far
  // Ends the writing: the bytes are durable but still invisible (so a
  // later Publish is quick). Optional; no Append after it.
  virtual Status Seal() = 0;
  // Makes the object visible atomically, replacing any old one; durable
  // when it returns OK. Seals first if needed. Once only.
  virtual Status Publish() = 0;
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
  // Starts writing `key` in pieces: until the upload is published, the key
  // keeps its old object (or none) and List does not show the new one.
  virtual Result<std::unique_ptr<ObjectUpload>> StartUpload(const std::string& key) = 0;
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
