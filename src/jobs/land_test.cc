#include "jobs/land.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "jobs/lake_line.h"
#include "jobs/land_test_fake_bus.h"
#include "lake/key_layout.h"
#include "lake/local_object_store.h"
#include "lake/zstd_codec.h"
#include "forwarding_object_store.h"
#include "subprocess.h"
#include "test_time.h"

namespace pinpipe::jobs {
namespace {

using testing::At;

struct Landed {
  int64_t offset;
  UnixMicros ingested_at;
  std::string raw;
  std::string key;
};

// Wraps a store and fails the next `fail_puts` puts with kUnavailable.
class FlakyStore final : public testing::ForwardingObjectStore {
 public:
  using ForwardingObjectStore::ForwardingObjectStore;
  std::atomic<int> fail_puts{0};
  Status Put(const std::string& key, std::string_view bytes) override {
    if (fail_puts.load() > 0) {
      fail_puts.fetch_sub(1);
      return Status::Unavailable("injected: store down");
    }
    return inner_->Put(key, bytes);
  }
};

class LandTest : public ::testing::Test {
 protected:
  LandTest() : clock_(At("2026-11-26T10:00:00Z")) {
    auto store = lake::LocalObjectStore::Open(dir_.File("lake"), io::PosixFileSystem());
    PINPIPE_CHECK(store.ok());
    store_ = std::move(store).value();
    PINPIPE_CHECK(bus_.CreateTopic("pins", 2).ok());
    options_.poll_timeout = std::chrono::milliseconds(1);
  }

  std::unique_ptr<Lander> Open(lake::ObjectStore* store = nullptr) {
    auto lander = Lander::Open(options_, &bus_, store != nullptr ? store : store_.get(), &clock_, &registry_);
    EXPECT_TRUE(lander.ok()) << lander.status().ToString();
    return lander.ok() ? std::move(lander).value() : nullptr;
  }

  bus::Offset Add(bus::PartitionId p, const char* when, std::string value = "") {
    if (value.empty()) value = "{\"n\":" + std::to_string(counter_++) + "}";
    return bus_.Add("pins", p, At(when), std::move(value));
  }

  std::vector<std::string> Keys(const std::string& prefix = "raw/") {
    std::vector<std::string> keys;
    auto listed = store_->List(prefix);
    EXPECT_TRUE(listed.ok());
    for (const auto& o : listed.value()) keys.push_back(o.key);
    return keys;
  }

  // Every landed record by partition, checking each object against its name.
  std::map<int32_t, std::vector<Landed>> ReadLake() {
    std::map<int32_t, std::vector<Landed>> out;
    auto listed = store_->List("raw/pins/");
    EXPECT_TRUE(listed.ok());
    for (const auto& o : listed.value()) {
      auto key = lake::ParseRawObjectKey("pins", o.key);
      if (!key) continue;
      auto text = lake::ZstdDecompressAll(*store_->Get(o.key));
      EXPECT_TRUE(text.ok()) << o.key;
      std::vector<Landed> lines;
      Status st = lake::ZstdForEachLine(*store_->Get(o.key), [&](std::string_view line, int64_t) {
        LakeLine parsed;
        std::string scratch;
        PINPIPE_RETURN_IF_ERROR(ParseLakeLine(line, &parsed, &scratch));
        EXPECT_EQ(parsed.partition, key->partition);
        EXPECT_EQ(lake::LakeHour::Of(parsed.ingested_at), key->hour) << o.key << " holds another hour";
        lines.push_back({parsed.offset, parsed.ingested_at, std::string(parsed.raw), o.key});
        return Status::Ok();
      });
      EXPECT_TRUE(st.ok()) << st.ToString();
      EXPECT_FALSE(lines.empty());
      if (lines.empty()) continue;
      EXPECT_EQ(lines.front().offset, key->first_offset) << o.key;
      EXPECT_EQ(lines.back().offset, key->last_offset) << o.key;
      for (auto& l : lines) out[key->partition].push_back(std::move(l));
    }
    for (auto& [p, lines] : out) {
      std::sort(lines.begin(), lines.end(), [](const Landed& a, const Landed& b) { return a.offset < b.offset; });
    }
    return out;
  }

  // Every offset 0..count-1 of partition p appears exactly once.
  void ExpectExactlyOnce(const std::map<int32_t, std::vector<Landed>>& lake, int32_t p, int64_t count) {
    auto it = lake.find(p);
    int64_t have = it == lake.end() ? 0 : static_cast<int64_t>(it->second.size());
    ASSERT_EQ(have, count) << "partition " << p;
    for (int64_t i = 0; i < count; ++i) ASSERT_EQ(it->second[i].offset, i) << "partition " << p;
  }

  testing::TempDir dir_;
  ManualClock clock_;
  testing::FakeBus bus_;
  std::unique_ptr<lake::LocalObjectStore> store_;
  metrics::Registry registry_;
  LanderOptions options_;
  int counter_ = 0;
};

TEST_F(LandTest, RunOnceLandsEveryRecordWithItsEnvelope) {
  for (int i = 0; i < 10; ++i) Add(i % 2, "2026-11-26T09:15:00.000001Z");
  auto lander = Open();
  ASSERT_TRUE(lander->RunOnce().ok());
  auto lake = ReadLake();
  ExpectExactlyOnce(lake, 0, 5);
  ExpectExactlyOnce(lake, 1, 5);
  EXPECT_EQ(lake[0][0].raw, "{\"n\":0}");
  EXPECT_EQ(lake[1][0].raw, "{\"n\":1}");
  EXPECT_EQ(lake[0][0].ingested_at, At("2026-11-26T09:15:00.000001Z"));
  EXPECT_EQ(lake[0][0].key, "raw/pins/dt=2026-11-26/hr=09/p=0/0-4.ndjson.zst");
  EXPECT_EQ(lander->stats().records, 10);
  EXPECT_EQ(registry_.GetCounter("pinpipe_land_records_total", "").Value(), 10);
}

TEST_F(LandTest, RawBytesThatAreNotUtf8LandLosslessly) {
  std::string raw = "{\"title\":\"\xff\xfe\"}";
  Add(0, "2026-11-26T09:00:00Z", raw);
  auto lander = Open();
  ASSERT_TRUE(lander->RunOnce().ok());
  auto lake = ReadLake();
  ASSERT_EQ(lake[0].size(), 1u);
  EXPECT_EQ(lake[0][0].raw, raw);
}

TEST_F(LandTest, ResumesAfterTheHighestOffsetInTheLake) {
  for (int i = 0; i < 6; ++i) Add(i % 2, "2026-11-26T09:00:00Z");
  ASSERT_TRUE(Open()->RunOnce().ok());
  for (int i = 0; i < 6; ++i) Add(i % 2, "2026-11-26T09:30:00Z");
  auto again = Open();
  EXPECT_EQ(again->NextOffsets(), (std::map<bus::PartitionId, bus::Offset>{{0, 3}, {1, 3}}));
  ASSERT_TRUE(again->RunOnce().ok());
  auto lake = ReadLake();
  ExpectExactlyOnce(lake, 0, 6);
  ExpectExactlyOnce(lake, 1, 6);
  EXPECT_EQ(Keys("raw/pins/dt=2026-11-26/hr=09/p=0/"),
            (std::vector<std::string>{"raw/pins/dt=2026-11-26/hr=09/p=0/0-2.ndjson.zst",
                                      "raw/pins/dt=2026-11-26/hr=09/p=0/3-5.ndjson.zst"}));
}

TEST_F(LandTest, ACrashBeforeThePutLosesNothingAndDuplicatesNothing) {
  for (int i = 0; i < 8; ++i) Add(i % 2, "2026-11-26T10:00:01Z");
  {
    auto lander = Open();
    ASSERT_TRUE(lander->Step().ok());  // records sit in open objects
    EXPECT_EQ(lander->NextOffsets(), (std::map<bus::PartitionId, bus::Offset>{{0, 4}, {1, 4}}));
    EXPECT_EQ(lander->LandedOffsets(), (std::map<bus::PartitionId, bus::Offset>{{0, 0}, {1, 0}}));
  }  // destroyed without Flush: the process died
  // A temp file of a put that was interrupted.
  testing::WriteFile(dir_.File("lake/raw/pins/.tmp-x-1-1"), "junk");
  EXPECT_TRUE(Keys().empty());
  auto lander = Open();
  EXPECT_TRUE(store_->StrayTempFiles("")->empty()) << "open removes what a dead writer left";
  ASSERT_TRUE(lander->RunOnce().ok());
  auto lake = ReadLake();
  ExpectExactlyOnce(lake, 0, 4);
  ExpectExactlyOnce(lake, 1, 4);
}

TEST_F(LandTest, AnObjectNeverSpansTwoHours) {
  Add(0, "2026-11-26T10:59:59.999999Z");
  Add(0, "2026-11-26T11:00:00Z");
  Add(0, "2026-11-26T11:00:01Z");
  ASSERT_TRUE(Open()->RunOnce().ok());
  EXPECT_EQ(Keys(), (std::vector<std::string>{"raw/pins/dt=2026-11-26/hr=10/p=0/0-0.ndjson.zst",
                                              "raw/pins/dt=2026-11-26/hr=11/p=0/1-2.ndjson.zst"}));
}

TEST_F(LandTest, ObjectsCloseAtTheSizeLimit) {
  options_.max_file_bytes = 1000;
  for (int i = 0; i < 60; ++i) Add(0, "2026-11-26T10:00:00Z", std::string(100, 'a' + i % 26));
  auto lander = Open();
  ASSERT_TRUE(lander->RunOnce().ok());
  auto keys = Keys();
  EXPECT_GE(keys.size(), 6u);
  auto listed = store_->List("raw/pins/");
  for (const auto& o : listed.value()) {
    auto text = lake::ZstdDecompressAll(*store_->Get(o.key));
    EXPECT_LT(text->size(), 1000u + 200u) << o.key;  // closes right after crossing the limit
  }
  ExpectExactlyOnce(ReadLake(), 0, 60);
}

TEST_F(LandTest, AnIdlePartitionStillFlushesAtTheAgeLimit) {
  clock_.Set(At("2026-11-26T10:20:00Z"));
  Add(0, "2026-11-26T10:20:00Z");
  auto lander = Open();
  ASSERT_TRUE(lander->Step().ok());
  EXPECT_TRUE(Keys().empty());
  clock_.Advance(59 * kMicrosPerSecond);
  ASSERT_TRUE(lander->Step().ok());
  EXPECT_TRUE(Keys().empty());
  clock_.Advance(1 * kMicrosPerSecond);
  ASSERT_TRUE(lander->Step().ok());
  EXPECT_EQ(Keys(), std::vector<std::string>{"raw/pins/dt=2026-11-26/hr=10/p=0/0-0.ndjson.zst"});
  EXPECT_EQ(lander->LandedOffsets().at(0), 1);
}

TEST_F(LandTest, HourIsMarkedOnceEveryPartitionPassedItAndItsObjectsAreIn) {
  clock_.Set(At("2026-11-26T10:30:00Z"));
  Add(0, "2026-11-26T10:30:00Z");
  Add(1, "2026-11-26T10:31:00Z");
  auto lander = Open();
  ASSERT_TRUE(lander->Step().ok());
  EXPECT_TRUE(Keys().empty());
  clock_.Set(At("2026-11-26T11:00:05Z"));  // hour over, but records may still be in flight
  ASSERT_TRUE(lander->Step().ok());
  EXPECT_TRUE(Keys("raw/pins/dt=2026-11-26/hr=10/_SUCCESS").empty());
  clock_.Set(At("2026-11-26T11:00:11Z"));  // past the 10 s lateness allowance
  ASSERT_TRUE(lander->Step().ok());
  EXPECT_EQ(Keys(), (std::vector<std::string>{"raw/pins/dt=2026-11-26/hr=10/_SUCCESS",
                                              "raw/pins/dt=2026-11-26/hr=10/p=0/0-0.ndjson.zst",
                                              "raw/pins/dt=2026-11-26/hr=10/p=1/0-0.ndjson.zst"}));
  EXPECT_EQ(lander->stats().success_markers, 1);
}

TEST_F(LandTest, ASlowPartitionHoldsBackTheMarker) {
  clock_.Set(At("2026-11-26T10:30:00Z"));
  Add(0, "2026-11-26T10:30:00Z");
  Add(1, "2026-11-26T10:50:00Z");
  bus_.Hold(1, true);  // partition 1 has a record of hour 10 not yet read
  auto lander = Open();
  Add(0, "2026-11-26T11:30:00Z");  // partition 0's data is well past hour 10
  clock_.Set(At("2026-11-26T12:00:00Z"));
  ASSERT_TRUE(lander->Step().ok());
  ASSERT_TRUE(lander->Step().ok());
  EXPECT_TRUE(Keys("raw/pins/dt=2026-11-26/hr=10/_SUCCESS").empty());
  bus_.Hold(1, false);
  clock_.Advance(2 * kMicrosPerSecond);
  ASSERT_TRUE(lander->Step().ok());  // reads partition 1
  clock_.Advance(2 * kMicrosPerSecond);
  ASSERT_TRUE(lander->Step().ok());  // describe: partition 1 caught up
  EXPECT_EQ(Keys("raw/pins/dt=2026-11-26/hr=10/"),
            (std::vector<std::string>{"raw/pins/dt=2026-11-26/hr=10/_SUCCESS",
                                      "raw/pins/dt=2026-11-26/hr=10/p=0/0-0.ndjson.zst",
                                      "raw/pins/dt=2026-11-26/hr=10/p=1/0-0.ndjson.zst"}));
}

TEST_F(LandTest, DayBoundarySplitsDatesAndMarksBothDays) {
  clock_.Set(At("2026-11-26T23:59:00Z"));
  Add(0, "2026-11-26T23:59:59.500000Z");
  Add(0, "2026-11-27T00:00:00.500000Z");
  Add(1, "2026-11-27T00:00:01Z");
  auto lander = Open();
  ASSERT_TRUE(lander->Step().ok());
  clock_.Set(At("2026-11-27T01:00:30Z"));
  ASSERT_TRUE(lander->Step().ok());
  EXPECT_EQ(Keys(), (std::vector<std::string>{"raw/pins/dt=2026-11-26/hr=23/_SUCCESS",
                                              "raw/pins/dt=2026-11-26/hr=23/p=0/0-0.ndjson.zst",
                                              "raw/pins/dt=2026-11-27/hr=00/_SUCCESS",
                                              "raw/pins/dt=2026-11-27/hr=00/p=0/1-1.ndjson.zst",
                                              "raw/pins/dt=2026-11-27/hr=00/p=1/0-0.ndjson.zst"}));
}

TEST_F(LandTest, QuietHoursAreMarkedTooAndMarkingResumesAfterRestart) {
  clock_.Set(At("2026-11-26T10:10:00Z"));
  {
    auto lander = Open();
    clock_.Set(At("2026-11-26T13:00:11Z"));
    ASSERT_TRUE(lander->Step().ok());
    EXPECT_EQ(lander->stats().success_markers, 3);
  }
  EXPECT_EQ(Keys(), (std::vector<std::string>{"raw/pins/dt=2026-11-26/hr=10/_SUCCESS",
                                              "raw/pins/dt=2026-11-26/hr=11/_SUCCESS",
                                              "raw/pins/dt=2026-11-26/hr=12/_SUCCESS"}));
  clock_.Set(At("2026-11-26T14:00:11Z"));
  auto lander = Open();
  ASSERT_TRUE(lander->Step().ok());
  EXPECT_EQ(lander->stats().success_markers, 1);  // only hour 13 is new
  EXPECT_EQ(Keys("raw/pins/dt=2026-11-26/hr=13/"),
            std::vector<std::string>{"raw/pins/dt=2026-11-26/hr=13/_SUCCESS"});
}

TEST_F(LandTest, OldBacklogIsMarkedFromItsFirstHourNotFromNow) {
  Add(0, "2026-11-25T22:10:00Z");
  Add(1, "2026-11-25T23:10:00Z");
  clock_.Set(At("2026-11-26T00:30:00Z"));
  auto lander = Open();
  ASSERT_TRUE(lander->RunOnce().ok());
  EXPECT_EQ(Keys("raw/pins/dt=2026-11-25/"),
            (std::vector<std::string>{"raw/pins/dt=2026-11-25/hr=22/_SUCCESS",
                                      "raw/pins/dt=2026-11-25/hr=22/p=0/0-0.ndjson.zst",
                                      "raw/pins/dt=2026-11-25/hr=23/_SUCCESS",
                                      "raw/pins/dt=2026-11-25/hr=23/p=1/0-0.ndjson.zst"}));
  EXPECT_TRUE(Keys("raw/pins/dt=2026-11-26/").empty());  // hour 00 is not over
}

TEST_F(LandTest, ALateRecordLandsInItsHourAndIsCounted) {
  clock_.Set(At("2026-11-26T11:00:20Z"));
  Add(0, "2026-11-26T10:59:00Z");
  auto lander = Open();
  ASSERT_TRUE(lander->RunOnce().ok());
  ASSERT_EQ(Keys("raw/pins/dt=2026-11-26/hr=10/_SUCCESS").size(), 1u);
  Add(1, "2026-11-26T10:59:30Z");  // arrives after hour 10 was marked
  ASSERT_TRUE(lander->RunOnce().ok());
  EXPECT_EQ(lander->stats().late_records, 1);
  EXPECT_EQ(Keys("raw/pins/dt=2026-11-26/hr=10/p=1/"),
            std::vector<std::string>{"raw/pins/dt=2026-11-26/hr=10/p=1/0-0.ndjson.zst"});
}

TEST_F(LandTest, ARetryableStoreFailureLosesNothing) {
  FlakyStore flaky(store_.get());
  for (int i = 0; i < 10; ++i) Add(i % 2, "2026-11-26T10:00:00Z");
  auto lander = Open(&flaky);
  ASSERT_TRUE(lander->Step().ok());
  for (int i = 0; i < 10; ++i) Add(i % 2, "2026-11-26T10:00:01Z");
  flaky.fail_puts = 1;
  EXPECT_EQ(lander->Flush().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(lander->Step().ok());  // retries the sealed object, then reads on
  ASSERT_TRUE(lander->Flush().ok());
  auto lake = ReadLake();
  ExpectExactlyOnce(lake, 0, 10);
  ExpectExactlyOnce(lake, 1, 10);
}

TEST_F(LandTest, RunRetriesAndStopsCleanly) {
  options_.retry_initial = std::chrono::milliseconds(1);
  FlakyStore flaky(store_.get());
  flaky.fail_puts = 3;
  for (int i = 0; i < 20; ++i) Add(i % 2, "2026-11-26T10:00:00Z");
  options_.max_file_bytes = 200;  // puts happen while running
  auto lander = Open(&flaky);
  std::stop_source stop;
  Status result;
  std::thread runner([&] { result = lander->Run(stop.get_token()); });
  metrics::Counter& files = registry_.GetCounter("pinpipe_land_files_total", "");
  ASSERT_TRUE(testing::WaitFor([&] { return flaky.fail_puts.load() == 0 && files.Value() >= 3; }));
  stop.request_stop();
  runner.join();
  ASSERT_TRUE(result.ok()) << result.ToString();
  auto lake = ReadLake();
  ExpectExactlyOnce(lake, 0, 10);
  ExpectExactlyOnce(lake, 1, 10);
}

TEST_F(LandTest, RunOnceStopsReadingWhenAskedAndKeepsWhatItRead) {
  for (int i = 0; i < 10; ++i) Add(0, "2026-11-26T09:00:00Z");
  std::stop_source stop;
  stop.request_stop();
  auto lander = Open();
  ASSERT_TRUE(lander->RunOnce(stop.get_token()).ok());
  EXPECT_TRUE(Keys().empty());
  ASSERT_TRUE(lander->RunOnce().ok());
  ExpectExactlyOnce(ReadLake(), 0, 10);
}

TEST_F(LandTest, ALakeAheadOfTheBusIsRefused) {
  ASSERT_TRUE(store_->Put("raw/pins/dt=2026-11-26/hr=10/p=0/0-99.ndjson.zst", lake::ZstdCompressAll("x\n")).ok());
  Add(0, "2026-11-26T10:00:00Z");
  auto lander = Lander::Open(options_, &bus_, store_.get(), &clock_, nullptr);
  ASSERT_FALSE(lander.ok());
  EXPECT_EQ(lander.status().code(), StatusCode::kCorruption);
  EXPECT_NE(lander.status().message().find("partition 0"), std::string::npos);
}

TEST_F(LandTest, MissingTopicIsNotFoundUnlessAskedToCreateIt) {
  options_.topic = "other";
  auto missing = Lander::Open(options_, &bus_, store_.get(), &clock_, nullptr);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  options_.create_partitions = 3;
  auto created = Lander::Open(options_, &bus_, store_.get(), &clock_, nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ((*created)->NextOffsets().size(), 3u);
}

}  // namespace
}  // namespace pinpipe::jobs
