// Picks the ObjectStore backend a lake URL names.
#include "lake/local_object_store.h"
#include "lake/object_store.h"

namespace pinpipe::lake {

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& url,
                                                     const ObjectStoreOptions& options) {
  constexpr std::string_view kForms =
      "expected file:<dir> or s3://bucket/prefix?endpoint=http://host:9000";
  if (url.starts_with("file:")) {
    std::string dir = url.substr(5);
    if (dir.starts_with("//")) dir = dir.substr(2);  // file:///abs/path
    if (dir.empty()) return Status::InvalidArgument("lake URL '" + url + "' has no directory; " + std::string(kForms));
    PINPIPE_ASSIGN_OR_RETURN(auto store, LocalObjectStore::Open(dir, options.fs));
    return std::unique_ptr<ObjectStore>(std::move(store));
  }
  if (url.starts_with("s3://")) {
    return Status::InvalidArgument("lake URL '" + url +
                                   "': the S3 backend is not built yet; use file:<dir> for now");
  }
  return Status::InvalidArgument("unknown lake URL '" + url + "'; " + std::string(kForms));
}

}  // namespace pinpipe::lake
