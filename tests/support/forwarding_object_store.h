// A test's object store that passes every call to a real one: tests derive
// from it and override the one call whose failure they want to inject.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lake/object_store.h"

namespace pinpipe::testing {

class ForwardingObjectStore : public lake::ObjectStore {
 public:
  explicit ForwardingObjectStore(lake::ObjectStore* inner) : inner_(inner) {}
  Status Put(const std::string& key, std::string_view bytes) override { return inner_->Put(key, bytes); }
  Result<std::unique_ptr<lake::ObjectUpload>> StartUpload(const std::string& key) override {
    return inner_->StartUpload(key);
  }
  Result<std::string> Get(const std::string& key) override { return inner_->Get(key); }
  Result<std::vector<lake::ObjectInfo>> List(const std::string& prefix) override { return inner_->List(prefix); }
  Status Delete(const std::string& key) override { return inner_->Delete(key); }
  Result<size_t> RemoveStrayUploads(const std::string& prefix) override { return inner_->RemoveStrayUploads(prefix); }
  std::string Describe() const override { return inner_->Describe(); }

 protected:
  lake::ObjectStore* const inner_;
};

}  // namespace pinpipe::testing
