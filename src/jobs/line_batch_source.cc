// LineBatchSource: fetch an object when its first batch is wanted, then
// hand out its lines in order.
#include "jobs/line_batch_source.h"

#include "jobs/batch_plan.h"

namespace pinpipe::jobs {

Result<bool> LineBatchSource::Next(LineBatch* batch) {
  std::lock_guard<std::mutex> lock(mu_);
  PINPIPE_RETURN_IF_ERROR(error_);
  if (object_ >= plan_.tasks.size()) return false;
  const std::string& key = plan_.tasks[object_].key;
  if (reader_ == nullptr) {
    Result<std::string> bytes = store_->Get(key);
    if (!bytes.ok()) return error_ = bytes.status().WithContext("lake object " + key);
    compressed_ = std::move(*bytes);
    reader_ = std::make_unique<lake::ZstdLineReader>(compressed_);
  }
  batch->object = object_;
  batch->sequence = sequence_++;
  batch->first_line = reader_->lines_read() + 1;
  batch->text.clear();
  Result<size_t> got = reader_->Read(lines_per_batch_, &batch->text, bytes_per_batch_);
  if (!got.ok()) return error_ = got.status().WithContext("lake object " + key);
  batch->last = *got == 0;
  if (batch->last) {
    reader_.reset();
    compressed_ = std::string();
    ++object_;
  }
  return true;
}

}  // namespace pinpipe::jobs
