#include "jobs/batch.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "jobs/batch_clean_zone.h"
#include "jobs/batch_verify.h"
#include "jobs/lake_line.h"
#include "lake/key_layout.h"
#include "lake/local_object_store.h"
#include "lake/zstd_codec.h"
#include "sinks/warehouse.h"
#include "forwarding_object_store.h"
#include "subprocess.h"
#include "test_time.h"

namespace pinpipe::jobs {
namespace {

using testing::At;

std::string Uuid(int n) { return fmt::format("0000abcd-0000-4000-8000-{:012x}", n); }

std::string Pin(int n, const std::string& title = "title") {
  return fmt::format(
      R"({{"index":{},"unique_id":"{}","title":" {} ","description":"d","poster_name":"p","follower_count":"1.2k",)"
      R"("tag_list":"a,b","is_image_or_video":"image","image_src":"https://x/y.jpg","downloaded":1,)"
      R"("save_location":"Local save in /data/art","category":"Art"}})",
      n, Uuid(n), title);
}

struct Rec {
  std::string when;
  std::string raw;
};

class Collect final : public sinks::QueryResultSink {
 public:
  Status Columns(const std::vector<std::string>&) override { return Status::Ok(); }
  Status Row(std::span<const sinks::QueryValue> values) override {
    std::vector<std::string> row;
    for (const auto& v : values) row.push_back(v.type == sinks::QueryValue::Type::kNull ? "NULL" : v.text);
    rows.push_back(std::move(row));
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
};

class BatchTest : public ::testing::Test {
 protected:
  BatchTest() : clock_(At("2026-11-27T08:00:00Z")) {
    store_ = std::move(lake::LocalObjectStore::Open(dir_.File("lake"), io::PosixFileSystem())).value();
    warehouse_ = std::move(sinks::OpenWarehouse("sqlite:" + dir_.File("w.db"))).value();
    options_.date = "2026-11-26";
  }

  // Writes one raw object of `partition` holding `recs` at offsets first...
  std::string PutRaw(int32_t partition, int64_t first, const std::vector<Rec>& recs) {
    std::string text;
    for (size_t i = 0; i < recs.size(); ++i) {
      AppendLakeLine(At(recs[i].when), partition, first + static_cast<int64_t>(i), recs[i].raw, &text);
      text.push_back('\n');
    }
    lake::RawObjectKey key{lake::LakeHour::Of(At(recs[0].when)), partition, first,
                           first + static_cast<int64_t>(recs.size()) - 1};
    std::string name = lake::RawObjectKeyString("pins", key);
    EXPECT_TRUE(store_->Put(name, lake::ZstdCompressAll(text)).ok());
    return name;
  }
  void MarkHours(int from, int to) {
    for (int h = from; h <= to; ++h) {
      lake::LakeHour hour{At("2026-11-26T00:00:00Z") + h * kMicrosPerHour};
      ASSERT_TRUE(store_->Put(lake::RawSuccessKey("pins", hour), "").ok());
    }
  }
  Result<BatchReport> Run() { return RunBatch(options_, store_.get(), warehouse_.get(), &clock_, &registry_); }
  std::vector<std::vector<std::string>> Query(const std::string& sql) {
    Collect c;
    Status st = warehouse_->Query(sql, &c);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return c.rows;
  }
  std::string CleanZone() {
    std::string all;
    auto listed = store_->List("clean/pins/dt=2026-11-26/");
    for (const auto& o : listed.value()) {
      all += o.key + "\n";
      if (!o.key.ends_with("_SUCCESS")) all += lake::ZstdDecompressAll(*store_->Get(o.key)).value();
    }
    return all;
  }

  testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<lake::LocalObjectStore> store_;
  std::unique_ptr<sinks::Warehouse> warehouse_;
  metrics::Registry registry_;
  BatchOptions options_;
};

TEST_F(BatchTest, LoadsDedupesAcrossObjectsAndHoursAndReconciles) {
  PutRaw(0, 0, {{"2026-11-26T10:00:00Z", Pin(1, "old")}, {"2026-11-26T10:00:01Z", Pin(2)}, {"2026-11-26T10:00:02Z", "{bad"}});
  PutRaw(1, 0, {{"2026-11-26T11:00:00Z", Pin(1, "newest")}, {"2026-11-26T11:00:00Z", R"({"title":"no id"})"}});
  PutRaw(0, 3, {{"2026-11-26T11:30:00Z", Pin(3)}, {"2026-11-26T11:30:00Z", Pin(2, "dup-of-2")}});
  MarkHours(0, 23);
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->raw_records, 7);
  EXPECT_EQ(report->loaded, 3);
  EXPECT_EQ(report->duplicates, 2);
  EXPECT_EQ(report->rejected, 2);
  EXPECT_TRUE(report->Balanced());
  EXPECT_TRUE(report->missing_hours.empty());
  EXPECT_EQ(report->MissingHoursWarning(), "");
  EXPECT_NE(report->Format().find("check: raw 7 = loaded 3 + duplicates 2 + rejected 2  OK"), std::string::npos)
      << report->Format();
  EXPECT_EQ(Query("SELECT unique_id, title, bus_partition, bus_offset, ingested_at FROM pins ORDER BY unique_id"),
            (std::vector<std::vector<std::string>>{
                {Uuid(1), "newest", "1", "0", "2026-11-26T11:00:00.000000Z"},
                {Uuid(2), "dup-of-2", "0", "4", "2026-11-26T11:30:00.000000Z"},
                {Uuid(3), "title", "0", "3", "2026-11-26T11:30:00.000000Z"}}));
  EXPECT_EQ(Query("SELECT reason, field, raw, bus_partition, bus_offset FROM pins_rejected ORDER BY reason"),
            (std::vector<std::vector<std::string>>{{"invalid_json", "NULL", "{bad", "0", "2"},
                                                   {"missing_unique_id", "unique_id", R"({"title":"no id"})", "1", "1"}}));
  // Every warehouse row equals the cleaner's output for the winning raw record.
  pin::Cleaner cleaner;
  pin::CleanRecord expected;
  pin::Rejection rejection;
  ASSERT_TRUE(cleaner.Clean(Pin(1, "newest"), &expected, &rejection));
  expected.ingested_at = At("2026-11-26T11:00:00Z");
  std::string line;
  AppendCleanZoneLine({expected, 1, 0, {}}, &line);
  EXPECT_NE(CleanZone().find(line + "\n"), std::string::npos) << CleanZone();
  EXPECT_EQ(registry_.GetCounter("pinpipe_batch_records_total", "", {{"outcome", "loaded"}}).Value(), 3);
}

TEST_F(BatchTest, TextsTheCleanZoneEscapesLoadAsTheCleanerCleansThem) {
  // Rows keep their texts in the clean-zone lines where the JSON holds them
  // byte for byte, and in a side buffer where it escapes them: every kind,
  // in every text field, across chunks of two rows.
  std::vector<std::string> raws;
  const std::vector<std::string> texts = {R"(quote \" inside)", R"(line\nbreak)", R"(tab\tand \u0001)",
                                          R"(caf\u00e9 \u2028)", "plain", R"(back\\slash)"};
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string& t = texts[i];
    const std::string& u = texts[(i + 1) % texts.size()];
    raws.push_back(fmt::format(
        R"({{"unique_id":"{}","title":"{}","description":"{}","poster_name":"{}","tag_list":"{},x","image_src":"https://x/{}",)"
        R"("save_location":"Local save in /data/{}","category":"{}","is_image_or_video":"image"}})",
        Uuid(static_cast<int>(i)), t, u, t, u, t, u, t));
  }
  raws.push_back(fmt::format(R"({{"unique_id":"{}"}})", Uuid(99)));  // every text null
  std::vector<Rec> recs;
  for (const std::string& raw : raws) recs.push_back({"2026-11-26T10:00:00Z", raw});
  PutRaw(0, 0, recs);
  options_.rows_per_chunk = 2;
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->loaded, static_cast<int64_t>(raws.size()));

  pin::Cleaner cleaner;
  pin::Rejection rejection;
  std::vector<sinks::WarehouseRow> expected;
  std::string expected_zone;
  for (size_t i = 0; i < raws.size(); ++i) {
    sinks::WarehouseRow row;
    ASSERT_TRUE(cleaner.Clean(raws[i], &row.record, &rejection)) << raws[i];
    row.record.ingested_at = At("2026-11-26T10:00:00Z");
    row.offset = static_cast<int64_t>(i);
    AppendCleanZoneLine(row, &expected_zone);
    expected_zone.push_back('\n');
    expected.push_back(std::move(row));
  }
  ASSERT_TRUE(expected[0].record.title.has_value());
  EXPECT_EQ(*expected[0].record.title, "quote \" inside");
  std::vector<sinks::WarehouseRow> loaded;
  ASSERT_TRUE(warehouse_
                  ->ScanDate("2026-11-26", 0, INT64_MAX,
                             [&](const sinks::WarehouseRow& row) {
                               loaded.push_back(row);
                               return Status::Ok();
                             })
                  .ok());
  EXPECT_EQ(loaded, expected);
  EXPECT_EQ(CleanZone(), "clean/pins/dt=2026-11-26/_SUCCESS\nclean/pins/dt=2026-11-26/part-0000.ndjson.zst\n" +
                             expected_zone);
}

TEST_F(BatchTest, ShortEscapedTextsSurviveTheChunksMovesBetweenThreads) {
  // A value the JSON escapes lives in the chunk's side text; when that text
  // is short, std::string keeps it inside the object, where a move between
  // threads would leave the row's view behind.
  std::vector<Rec> recs;
  std::vector<std::string> raws;
  for (int i = 0; i < 40; ++i) {
    raws.push_back(fmt::format(R"({{"unique_id":"{}","title":"{}\"{}"}})", Uuid(i), i % 10, i));
    recs.push_back({"2026-11-26T10:00:00Z", raws.back()});
  }
  PutRaw(0, 0, recs);
  options_.rows_per_chunk = 1;
  options_.threads = 3;
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::vector<std::vector<std::string>> want;
  for (int i = 0; i < 40; ++i) want.push_back({Uuid(i), fmt::format("{}\"{}", i % 10, i)});
  EXPECT_EQ(Query("SELECT unique_id, title FROM pins ORDER BY unique_id"), want);
}

// Random texts of every kind (escapes, control characters, multi-byte
// UTF-8, short and long, blank) in every text field, with later versions of
// some ids, through chunks of 1-8 rows on 1-3 threads: the warehouse holds
// what the cleaner makes of each id's newest version, and the clean zone
// its lines.
TEST_F(BatchTest, RandomTextsComeOutAsTheCleanerCleansThemWhateverTheChunking) {
  const std::vector<std::string> pieces = {"a", "Zo\u00e9", "\"", "\\", "\n", "\t", "\x01", " ", "\u2014",
                                           "\u2028", std::string(40, 'x'), "/", ",", "\U0001F600", "q"};
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(round);
    std::mt19937 rng(static_cast<unsigned>(round));
    auto text = [&] {
      std::string out;
      for (int n = static_cast<int>(rng() % 4); n > 0; --n) out += pieces[rng() % pieces.size()];
      return out;
    };
    auto quoted = [](const std::string& v) {
      std::string out;
      pin::AppendJsonString(v, &out);
      return out;
    };
    const std::string date = fmt::format("2026-11-{:02}", 10 + round);
    options_.date = date;
    options_.rows_per_chunk = 1 + rng() % 8;
    options_.threads = 1 + static_cast<int>(rng() % 3);
    std::map<int32_t, std::vector<Rec>> by_partition;
    std::map<std::string, sinks::WarehouseRow> newest;
    pin::Cleaner cleaner;
    pin::Rejection rejection;
    for (int i = 0; i < 60; ++i) {
      int32_t partition = static_cast<int32_t>(rng() % 2);
      int id = i % 7 == 6 ? static_cast<int>(rng() % static_cast<unsigned>(i)) : i;  // some later versions
      std::string raw = fmt::format(
          R"({{"unique_id":"{}","title":{},"description":{},"poster_name":{},"tag_list":{},"image_src":{},)"
          R"("save_location":{},"category":{},"is_image_or_video":"image","follower_count":"{}k"}})",
          Uuid(id), quoted(text()), quoted(text()), quoted(text()), quoted(text() + "," + text()),
          quoted("https://x/" + text()), quoted("Local save in /data/" + text()), quoted(text()), i);
      std::string when = fmt::format("{}T10:{:02}:{:02}Z", date, i / 60, i % 60);
      std::vector<Rec>& recs = by_partition[partition];
      sinks::WarehouseRow row;
      ASSERT_TRUE(cleaner.Clean(raw, &row.record, &rejection)) << raw << ": " << rejection.detail;
      row.record.ingested_at = At(when);
      row.partition = partition;
      row.offset = static_cast<int64_t>(recs.size());
      recs.push_back({when, raw});
      newest[row.record.unique_id] = row;  // ingested_at only grows: the last version is the newest
    }
    for (const auto& [partition, recs] : by_partition) PutRaw(partition, 0, recs);
    auto report = Run();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->loaded, static_cast<int64_t>(newest.size()));

    std::map<std::string, sinks::WarehouseRow> loaded;
    ASSERT_TRUE(warehouse_
                    ->ScanDate(date, 0, INT64_MAX,
                               [&](const sinks::WarehouseRow& row) {
                                 loaded[row.record.unique_id] = row;
                                 return Status::Ok();
                               })
                    .ok());
    EXPECT_EQ(loaded, newest);
    std::multiset<std::string> want_lines, zone_lines;
    for (const auto& [id, row] : newest) {
      std::string line;
      AppendCleanZoneLine(row, &line);
      want_lines.insert(line);
    }
    auto parts = store_->List("clean/pins/dt=" + date + "/part-");
    ASSERT_TRUE(parts.ok());
    for (const auto& o : *parts) {
      std::string zone = lake::ZstdDecompressAll(*store_->Get(o.key)).value();
      for (size_t start = 0, nl; (nl = zone.find('\n', start)) != std::string::npos; start = nl + 1) {
        zone_lines.insert(zone.substr(start, nl - start));
      }
    }
    EXPECT_EQ(zone_lines, want_lines);
  }
}

TEST_F(BatchTest, RerunningADateGivesTheSameTableAndCleanZone) {
  for (int p = 0; p < 3; ++p) {
    std::vector<Rec> recs;
    for (int i = 0; i < 50; ++i) recs.push_back({"2026-11-26T09:00:00Z", Pin(i % 40 + p)});
    PutRaw(p, 0, recs);
  }
  options_.rows_per_chunk = 7;
  options_.threads = 3;
  auto first = Run();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto table = Query("SELECT * FROM pins ORDER BY rowid");
  std::string zone = CleanZone();
  options_.threads = 1;
  auto second = Run();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Query("SELECT * FROM pins ORDER BY rowid"), table);
  EXPECT_EQ(CleanZone(), zone);
  EXPECT_EQ(first->loaded, second->loaded);
  EXPECT_EQ(first->loaded, 42);
}

TEST_F(BatchTest, ADateWithNoDataEmptiesTheDateAndWarns) {
  PutRaw(0, 0, {{"2026-11-26T10:00:00Z", Pin(1)}});
  ASSERT_TRUE(Run().ok());
  ASSERT_TRUE(store_->Delete("raw/pins/dt=2026-11-26/hr=10/p=0/0-0.ndjson.zst").ok());
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->raw_records, 0);
  EXPECT_EQ(report->loaded, 0);
  EXPECT_EQ(report->missing_hours.size(), 24u);
  EXPECT_EQ(report->MissingHoursWarning(),
            "dt=2026-11-26 is not complete: no _SUCCESS for hour(s) 00-23 (land has not passed them yet)");
  EXPECT_EQ(Query("SELECT count(*) FROM pins"), (std::vector<std::vector<std::string>>{{"0"}}));
  EXPECT_EQ(CleanZone(), "clean/pins/dt=2026-11-26/_SUCCESS\n");
}

TEST_F(BatchTest, MissingHoursAreReported) {
  PutRaw(0, 0, {{"2026-11-26T10:00:00Z", Pin(1)}});
  MarkHours(0, 9);
  MarkHours(12, 12);
  auto report = Run();
  ASSERT_TRUE(report.ok());
  EXPECT_NE(report->MissingHoursWarning().find("no _SUCCESS for hour(s) 10-11, 13-23"), std::string::npos)
      << report->MissingHoursWarning();
}

TEST_F(BatchTest, ACorruptObjectFailsNamingItsKeyAndCommitsNothing) {
  PutRaw(0, 0, {{"2026-11-26T10:00:00Z", Pin(1)}});
  ASSERT_TRUE(Run().ok());
  std::string zone = CleanZone();
  std::vector<Rec> recs;
  for (int i = 0; i < 200; ++i) recs.push_back({"2026-11-26T10:30:00Z", Pin(i + 10)});
  std::string bad = PutRaw(1, 0, recs);
  PutRaw(2, 0, {{"2026-11-26T10:00:00Z", Pin(5)}});
  std::string bytes = *store_->Get(bad);
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 32; ++i) bytes[i] = 'X';
  ASSERT_TRUE(store_->Put(bad, bytes).ok());
  auto report = Run();
  ASSERT_FALSE(report.ok()) << report->Format();
  EXPECT_NE(report.status().message().find(bad), std::string::npos) << report.status().message();
  EXPECT_EQ(Query("SELECT unique_id FROM pins"), (std::vector<std::vector<std::string>>{{Uuid(1)}}));
  EXPECT_EQ(CleanZone(), zone);
  EXPECT_EQ(registry_.GetCounter("pinpipe_batch_runs_total", "", {{"result", "failure"}}).Value(), 1);
}

TEST_F(BatchTest, ALineThatDisagreesWithItsKeyIsCorruption) {
  std::string text;
  AppendLakeLine(At("2026-11-26T10:00:00Z"), 7, 0, Pin(1), &text);  // partition 7 in a p=0 object
  ASSERT_TRUE(store_->Put("raw/pins/dt=2026-11-26/hr=10/p=0/0-0.ndjson.zst", lake::ZstdCompressAll(text)).ok());
  auto report = Run();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption);
  EXPECT_NE(report.status().message().find("raw/pins/dt=2026-11-26/hr=10/p=0/0-0.ndjson.zst: line 1"),
            std::string::npos)
      << report.status().message();
}

TEST_F(BatchTest, OverlappingObjectsAreReadOnce) {
  PutRaw(0, 0, {{"2026-11-26T10:00:00Z", Pin(1)}, {"2026-11-26T10:00:00Z", Pin(2)}, {"2026-11-26T10:00:00Z", Pin(3)}});
  PutRaw(0, 1, {{"2026-11-26T10:00:00Z", Pin(2)}, {"2026-11-26T10:00:00Z", Pin(3)}, {"2026-11-26T10:00:00Z", Pin(4)}});
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->raw_records, 4);
  EXPECT_EQ(report->overlap_skipped, 2);
  EXPECT_EQ(report->duplicates, 0);
  EXPECT_EQ(report->loaded, 4);
}

TEST_F(BatchTest, FewerCleanPartsOnARerunRemoveTheStaleOnes) {
  std::vector<Rec> recs;
  for (int i = 0; i < 3000; ++i) recs.push_back({"2026-11-26T10:00:00Z", Pin(i)});
  PutRaw(0, 0, recs);
  options_.clean_part_rows = 1000;
  ASSERT_TRUE(Run().ok());
  auto many = store_->List("clean/pins/dt=2026-11-26/part-");
  EXPECT_EQ(many->size(), 3u);
  options_.clean_part_rows = 100'000;
  auto report = Run();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->clean_objects, 1);
  auto listed = store_->List("clean/pins/dt=2026-11-26/");
  std::vector<std::string> keys;
  for (const auto& o : listed.value()) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"clean/pins/dt=2026-11-26/_SUCCESS",
                                            "clean/pins/dt=2026-11-26/part-0000.ndjson.zst"}));
  std::string text = *lake::ZstdDecompressAll(*store_->Get(keys[1]));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3000);
}

TEST_F(BatchTest, ProgressReachesEveryObject) {
  for (int p = 0; p < 4; ++p) PutRaw(p, 0, {{"2026-11-26T10:00:00Z", Pin(p)}});
  BatchProgress last;
  int calls = 0;
  options_.progress = [&](const BatchProgress& p) {
    last = p;
    ++calls;
  };
  ASSERT_TRUE(Run().ok());
  EXPECT_GE(calls, 4);
  EXPECT_EQ(last.objects_done, 4);
  EXPECT_EQ(last.objects_total, 4);
  EXPECT_EQ(last.bytes_done, last.bytes_total);
  EXPECT_EQ(last.records, 4);
}

TEST_F(BatchTest, VerifyPassesAfterABatchAndCatchesEveryKindOfDrift) {
  PutRaw(0, 0, {{"2026-11-26T10:00:00Z", Pin(1, "old")}, {"2026-11-26T10:00:01Z", Pin(2)}, {"2026-11-26T10:00:02Z", "x"}});
  PutRaw(1, 0, {{"2026-11-26T11:00:00Z", Pin(1, "new")}, {"2026-11-26T11:00:00Z", Pin(3)}});
  auto before = VerifyBatch(options_, store_.get(), warehouse_.get());
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_FALSE(before->Ok());  // never batched
  ASSERT_TRUE(Run().ok());
  auto good = VerifyBatch(options_, store_.get(), warehouse_.get());
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->Ok()) << good->Format();
  EXPECT_EQ(good->distinct, 3);
  EXPECT_EQ(good->rejected, 1);
  Collect ignored;
  ASSERT_TRUE(warehouse_->Query("UPDATE pins SET bus_partition = 0, bus_offset = 0, ingested_at = "
                                "'2026-11-26T10:00:00.000000Z' WHERE unique_id = '" + Uuid(1) + "'", &ignored).ok());
  auto stale = VerifyBatch(options_, store_.get(), warehouse_.get());
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->stale_rows, 1);
  EXPECT_FALSE(stale->Ok());
  EXPECT_NE(stale->Format().find("MISMATCH"), std::string::npos);
  ASSERT_TRUE(Run().ok());
  ASSERT_TRUE(warehouse_->Query("DELETE FROM pins_rejected", &ignored).ok());
  EXPECT_FALSE(VerifyBatch(options_, store_.get(), warehouse_.get())->Ok());
}

// The zone as `batch` would write it from the warehouse after the commit.
std::string ZoneReadBack(lake::ObjectStore* store, sinks::Warehouse* warehouse) {
  testing::TempDir other;
  auto copy = std::move(lake::LocalObjectStore::Open(other.File("lake"), io::PosixFileSystem())).value();
  CleanZoneOptions options{"pins", "2026-11-26", 1'000'000, 2, 1};
  EXPECT_TRUE(WriteCleanZone(copy.get(), warehouse, options).ok());
  return lake::ZstdDecompressAll(*copy->Get("clean/pins/dt=2026-11-26/part-0000.ndjson.zst")).value();
}

// Versions near each other (same chunk, next chunks), older versions
// arriving last, several partitions and hours, tiny chunks on 3 threads.
// Every third id gets a newer version right after it, every seventh an older
// one (which must not replace it), the rest stay single.
std::vector<std::vector<Rec>> VersionsNearEachOther() {
  std::vector<std::vector<Rec>> objects(3);
  for (int p = 0; p < 3; ++p) {
    for (int j = 0; j < 100; ++j) {
      std::string hour = fmt::format("2026-11-26T{:02}:00:", 9 + j / 50);
      std::string when = hour + fmt::format("{:02}Z", j % 50 + 1);
      int id = j * 3 + p;
      objects[p].push_back({when, Pin(id, fmt::format("v{}-{}", p, j))});
      // Same ingested_at, later offset: newer.
      if (j % 3 == 0) objects[p].push_back({when, Pin(id, fmt::format("v{}-{}-newer", p, j))});
      if (j % 7 == 0) objects[p].push_back({hour + "00Z", Pin(id, "older")});
    }
  }
  return objects;
}

TEST_F(BatchTest, TheCleanZoneWrittenWhileLoadingIsTheWarehouseDateInItsOrder) {
  int p = 0;
  for (const auto& recs : VersionsNearEachOther()) {
    // Hours split into objects as land would.
    std::vector<Rec> hour;
    int64_t first = 0;
    for (size_t i = 0; i <= recs.size(); ++i) {
      if (!hour.empty() && (i == recs.size() || recs[i].when.substr(11, 2) != hour[0].when.substr(11, 2))) {
        PutRaw(p, first, hour);
        first += static_cast<int64_t>(hour.size());
        hour.clear();
      }
      if (i < recs.size()) hour.push_back(recs[i]);
    }
    ++p;
  }
  options_.rows_per_chunk = 5;
  options_.threads = 3;
  options_.clean_part_rows = 40;
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->clean_zone_read_back);
  EXPECT_EQ(report->loaded, 300);
  EXPECT_GT(report->clean_objects, 2);
  std::string zone;
  auto parts = store_->List("clean/pins/dt=2026-11-26/part-");
  ASSERT_TRUE(parts.ok());
  for (const auto& o : *parts) {
    zone += lake::ZstdDecompressAll(*store_->Get(o.key)).value();
  }
  EXPECT_EQ(zone, ZoneReadBack(store_.get(), warehouse_.get()));
  EXPECT_EQ(std::count(zone.begin(), zone.end(), '\n'), 300);
  EXPECT_NE(zone.find("\"title\":\"v2-99-newer\""), std::string::npos);
  EXPECT_EQ(zone.find("\"title\":\"v2-99\""), std::string::npos);
  EXPECT_NE(zone.find("\"title\":\"v2-98\""), std::string::npos);
  EXPECT_EQ(zone.find("\"title\":\"older\""), std::string::npos);
  EXPECT_TRUE(store_->StrayTempFiles("").value().empty());
}

TEST_F(BatchTest, AVersionBeyondTheWindowMakesTheZoneComeFromTheWarehouse) {
  std::vector<Rec> recs;
  for (int i = 0; i < 60; ++i) recs.push_back({"2026-11-26T10:00:00Z", Pin(i)});
  recs.push_back({"2026-11-26T10:00:01Z", Pin(3, "far newer")});
  PutRaw(0, 0, recs);
  options_.rows_per_chunk = 4;
  options_.clean_zone_window_rows = 8;
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->clean_zone_read_back);
  EXPECT_EQ(report->loaded, 60);
  EXPECT_EQ(report->duplicates, 1);
  std::string zone = lake::ZstdDecompressAll(*store_->Get("clean/pins/dt=2026-11-26/part-0000.ndjson.zst")).value();
  EXPECT_EQ(zone, ZoneReadBack(store_.get(), warehouse_.get()));
  EXPECT_NE(zone.find("far newer"), std::string::npos);
  EXPECT_TRUE(store_->StrayTempFiles("").value().empty());
  // Near enough, the same data is written while loading, to the same bytes.
  options_.clean_zone_window_rows = 64;
  auto again = Run();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->clean_zone_read_back);
  EXPECT_EQ(lake::ZstdDecompressAll(*store_->Get("clean/pins/dt=2026-11-26/part-0000.ndjson.zst")).value(), zone);
  // The window holds no more than its bytes, however many rows that is.
  options_.clean_zone_window_bytes = 2000;  // a few lines
  auto bounded = Run();
  ASSERT_TRUE(bounded.ok());
  EXPECT_TRUE(bounded->clean_zone_read_back);
  EXPECT_EQ(lake::ZstdDecompressAll(*store_->Get("clean/pins/dt=2026-11-26/part-0000.ndjson.zst")).value(), zone);
}

TEST_F(BatchTest, OffsetsAreCheckedAcrossBatchesOfAnObject) {
  options_.rows_per_chunk = 2;
  auto object = [&](std::vector<int64_t> offsets, int64_t key_first, int64_t key_last) {
    std::string text;
    for (int64_t o : offsets) {
      AppendLakeLine(At("2026-11-26T10:00:00Z"), 0, o, Pin(static_cast<int>(o)), &text);
      text.push_back('\n');
    }
    std::string key = lake::RawObjectKeyString("pins", {lake::LakeHour::Of(At("2026-11-26T10:00:00Z")), 0,
                                                        key_first, key_last});
    auto old = store_->List("raw/");
    for (const auto& o : old.value()) EXPECT_TRUE(store_->Delete(o.key).ok());
    EXPECT_TRUE(store_->Put(key, lake::ZstdCompressAll(text)).ok());
    auto report = Run();
    return report.ok() ? std::string("ok") : report.status().ToString();
  };
  EXPECT_EQ(object({0, 1, 2, 3}, 0, 3), "ok");
  EXPECT_NE(object({0, 2, 1, 3}, 0, 3).find("p=0/0-3.ndjson.zst: line 3: offset 1 out of order"), std::string::npos)
      << object({0, 2, 1, 3}, 0, 3);
  EXPECT_NE(object({1, 2, 3}, 0, 3).find("line 1: offset 1 out of order or outside the key's range (the key starts at 0)"),
            std::string::npos);
  EXPECT_NE(object({0, 1, 2}, 0, 3).find("object ends at offset 2, its key says 3"), std::string::npos);
  EXPECT_NE(object({0, 1, 3, 2}, 0, 3).find("line 4: offset 2 out of order"), std::string::npos);
  EXPECT_EQ(Query("SELECT count(*) FROM pins"), (std::vector<std::vector<std::string>>{{"4"}}));
}

// A lake whose uploads fail: a clean part can never be staged.
class NoUploadStore final : public testing::ForwardingObjectStore {
 public:
  using ForwardingObjectStore::ForwardingObjectStore;
  Result<std::unique_ptr<lake::ObjectUpload>> StartUpload(const std::string& key) override {
    return Status::Unavailable("injected: uploads refused for " + key);
  }
};

TEST_F(BatchTest, ACleanZoneThatCannotBeStagedFailsTheBatchBeforeTheCommit) {
  PutRaw(0, 0, {{"2026-11-26T10:00:00Z", Pin(1)}});
  ASSERT_TRUE(Run().ok());
  std::string zone = CleanZone();
  PutRaw(1, 0, {{"2026-11-26T10:00:00Z", Pin(2)}});
  NoUploadStore failing(store_.get());
  auto report = RunBatch(options_, &failing, warehouse_.get(), &clock_, &registry_);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("injected: uploads refused for clean/pins/dt=2026-11-26/part-0000"),
            std::string::npos)
      << report.status().ToString();
  EXPECT_EQ(Query("SELECT unique_id FROM pins"), (std::vector<std::vector<std::string>>{{Uuid(1)}}));
  EXPECT_EQ(CleanZone(), zone);  // the old zone, still marked complete
}

TEST_F(BatchTest, PartsACrashedBatchStagedAreRemovedAndWereNeverListed) {
  PutRaw(0, 0, {{"2026-11-26T10:00:00Z", Pin(1)}});
  ASSERT_TRUE(Run().ok());
  // What a batch killed before its commit leaves: an upload never published.
  testing::WriteFile(dir_.File("lake/clean/pins/dt=2026-11-26/.tmp-part-0001.ndjson.zst-999-0"), "partial");
  EXPECT_EQ(CleanZone().find("partial"), std::string::npos);
  EXPECT_EQ(store_->StrayTempFiles("clean/").value().size(), 1u);
  ASSERT_TRUE(Run().ok());
  EXPECT_TRUE(store_->StrayTempFiles("").value().empty());
  EXPECT_EQ(store_->List("clean/pins/dt=2026-11-26/").value().size(), 2u);  // part-0000 and _SUCCESS
}

TEST_F(BatchTest, BadOptionsAreInvalidArgument) {
  options_.date = "2026-13-01";
  EXPECT_EQ(Run().status().code(), StatusCode::kInvalidArgument);
  options_.date = "2026-11-26";
  options_.threads = 0;
  EXPECT_EQ(Run().status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pinpipe::jobs
