// Clean zone parts: each worker scans one row range through its own reader
// connection, renders NDJSON and compresses it; parts are put as they finish.
#include "jobs/batch_clean_zone.h"

#include <atomic>
#include <charconv>
#include <mutex>
#include <thread>
#include <vector>

#include "lake/key_layout.h"
#include "lake/zstd_codec.h"
#include "pin/pin.h"

namespace pinpipe::jobs {
namespace {

constexpr size_t kDrainBytes = 256u << 10;

// Renders and compresses rows [part * part_rows, ...) into one frame.
Result<std::string> RenderPart(sinks::Warehouse* reader, const CleanZoneOptions& options, int64_t part,
                               int64_t* rows) {
  lake::ZstdCompressor compressor(options.zstd_level);
  std::string lines;
  lines.reserve(kDrainBytes + 64 * 1024);
  PINPIPE_RETURN_IF_ERROR(reader->ScanDate(options.date, part * options.part_rows, options.part_rows,
                                           [&](const sinks::WarehouseRow& row) {
                                             AppendCleanZoneLine(row, &lines);
                                             lines.push_back('\n');
                                             ++*rows;
                                             if (lines.size() >= kDrainBytes) {
                                               compressor.Append(lines);
                                               lines.clear();
                                             }
                                             return Status::Ok();
                                           }));
  compressor.Append(lines);
  return compressor.Finish();
}

}  // namespace

void AppendCleanZoneLine(const sinks::WarehouseRow& row, std::string* out) {
  pin::AppendCleanJson(row.record, row.forms.tag_list_json, out);
  EndCleanZoneLine(row.partition, row.offset, out);
}

void EndCleanZoneLine(int32_t partition, int64_t offset, std::string* out) {
  PINPIPE_CHECK(!out->empty() && out->back() == '}');
  out->pop_back();
  char buf[24];
  out->append(",\"bus_partition\":");
  out->append(buf, std::to_chars(buf, buf + sizeof(buf), partition).ptr);
  out->append(",\"bus_offset\":");
  out->append(buf, std::to_chars(buf, buf + sizeof(buf), offset).ptr);
  out->push_back('}');
}

Result<CleanZoneStats> WriteCleanZone(lake::ObjectStore* store, sinks::Warehouse* warehouse,
                                      const CleanZoneOptions& options) {
  if (options.part_rows <= 0 || options.threads < 1) {
    return Status::InvalidArgument("clean zone: part_rows and threads must be positive");
  }
  const std::string prefix = lake::CleanDatePrefix(options.dataset, options.date);
  PINPIPE_RETURN_IF_ERROR(store->Delete(lake::CleanSuccessKey(options.dataset, options.date)));
  PINPIPE_RETURN_IF_ERROR(store->RemoveStrayUploads(prefix).status());
  PINPIPE_ASSIGN_OR_RETURN(std::vector<lake::ObjectInfo> old_objects, store->List(prefix));
  PINPIPE_ASSIGN_OR_RETURN(sinks::DateCounts counts, warehouse->CountDate(options.date));
  const int64_t parts = (counts.rows + options.part_rows - 1) / options.part_rows;

  // Readers are opened here so a failure surfaces before any thread starts.
  std::vector<std::unique_ptr<sinks::Warehouse>> readers;
  for (int64_t i = 0; i < std::min<int64_t>(options.threads, parts); ++i) {
    PINPIPE_ASSIGN_OR_RETURN(auto reader, warehouse->OpenReader());
    readers.push_back(std::move(reader));
  }
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  CleanZoneStats stats;
  {
    std::vector<std::jthread> workers;
    for (auto& reader : readers) {
      workers.emplace_back([&, r = reader.get()] {
        for (int64_t part; !failed && (part = next.fetch_add(1)) < parts;) {
          int64_t rows = 0;
          Result<std::string> frame = RenderPart(r, options, part, &rows);
          Status st = frame.status();
          if (st.ok()) st = store->Put(lake::CleanPartKey(options.dataset, options.date, static_cast<int>(part)), *frame);
          std::lock_guard<std::mutex> lock(mu);
          if (!st.ok()) {
            if (first_error.ok()) first_error = st;
            failed = true;
            return;
          }
          ++stats.objects;
          stats.bytes += frame->size();
          stats.rows += rows;
        }
      });
    }
  }
  PINPIPE_RETURN_IF_ERROR(first_error);
  if (stats.rows != counts.rows) {
    return Status::Internal("clean zone: scanned " + std::to_string(stats.rows) + " rows of dt=" + options.date +
                            ", the warehouse holds " + std::to_string(counts.rows) + " (changed meanwhile?)");
  }
  PINPIPE_RETURN_IF_ERROR(CompleteCleanZone(store, options, old_objects, parts));
  return stats;
}

Status CompleteCleanZone(lake::ObjectStore* store, const CleanZoneOptions& options,
                         const std::vector<lake::ObjectInfo>& old_objects, int64_t parts) {
  for (const lake::ObjectInfo& o : old_objects) {
    auto part = lake::ParseCleanPartKey(options.dataset, options.date, o.key);
    if (part && *part >= parts) PINPIPE_RETURN_IF_ERROR(store->Delete(o.key));
  }
  return store->Put(lake::CleanSuccessKey(options.dataset, options.date), "");
}

}  // namespace pinpipe::jobs
