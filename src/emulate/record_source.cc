// Generator and NDJSON-file record sources.
#include "emulate/record_source.h"

#include <vector>

namespace pinpipe::emulate {
namespace {

class Generated final : public RecordSource {
 public:
  explicit Generated(const GeneratorOptions& options) : generator_(options) {}
  bool Next(std::string* out) override {
    generator_.Next(out);
    return true;
  }

 private:
  RecordGenerator generator_;
};

class FileLines final : public RecordSource {
 public:
  explicit FileLines(std::unique_ptr<io::SequentialFile> file) : file_(std::move(file)) {}

  bool Next(std::string* out) override {
    for (;;) {
      size_t nl = buffer_.find('\n', pos_);
      if (nl == std::string::npos && !eof_) {
        Refill();
        continue;
      }
      if (nl == std::string::npos) {
        if (pos_ >= buffer_.size()) return false;
        nl = buffer_.size();  // a last line without '\n'
      }
      std::string_view line(buffer_.data() + pos_, nl - pos_);
      pos_ = nl + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      out->append(line);
      return true;
    }
  }
  Status status() const override { return status_; }

 private:
  void Refill() {
    buffer_.erase(0, std::min(pos_, buffer_.size()));
    pos_ = 0;
    auto n = file_->Read(chunk_);
    if (!n.ok()) status_ = n.status();
    if (!n.ok() || *n == 0) {
      eof_ = true;
      return;
    }
    buffer_.append(chunk_.data(), *n);
  }

  std::unique_ptr<io::SequentialFile> file_;
  std::vector<char> chunk_ = std::vector<char>(1 << 20);
  std::string buffer_;
  size_t pos_ = 0;
  bool eof_ = false;
  Status status_;
};

}  // namespace

std::unique_ptr<RecordSource> GeneratedRecords(const GeneratorOptions& options) {
  return std::make_unique<Generated>(options);
}

Result<std::unique_ptr<RecordSource>> FileRecords(io::FileSystem* fs, const std::string& path) {
  if (path == "-") return std::unique_ptr<RecordSource>(std::make_unique<FileLines>(io::StdinFile()));
  PINPIPE_ASSIGN_OR_RETURN(auto file, fs->NewSequentialFile(path));
  return std::unique_ptr<RecordSource>(std::make_unique<FileLines>(std::move(file)));
}

}  // namespace pinpipe::emulate
