// `pinpipe land` killed with SIGKILL in the middle of a large log, again and
// again, then run to the end: every offset of the bus appears exactly once
// across the raw zone, and no temp file is left.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <map>

#include "bus/open_bus.h"
#include "jobs/lake_line.h"
#include "lake/key_layout.h"
#include "lake/local_object_store.h"
#include "lake/zstd_codec.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using testing::PinpipeBin;

constexpr int kPartitions = 4;
constexpr int kRecords = 200'000;

class LandCrashTest : public ::testing::Test {
 protected:
  std::vector<std::string> LandArgs(bool once) {
    std::vector<std::string> args = {PinpipeBin(), "--data-dir", dir_.path(), "--log-level", "warn", "land",
                                     "--max-file-mib", "1"};
    if (once) args.push_back("--once");
    return args;
  }

  // Fills the log: records spread over five hours of a past day.
  std::map<int32_t, int64_t> Produce() {
    bus::BusOptions options;
    options.url = "log:" + dir_.File("log");
    options.sync = "never";
    auto bus = std::move(bus::OpenBus(options)).value();
    EXPECT_TRUE(bus->CreateTopic("pins", kPartitions).ok());
    auto producer = std::move(bus->NewProducer("pins")).value();
    std::vector<std::string> keys, values;
    UnixMicros start = ParseRfc3339Micros("2026-11-20T00:00:00Z").value();
    for (int i = 0; i < kRecords; ++i) {
      keys.push_back(std::to_string(i));
      values.push_back(R"({"unique_id":"00000000-0000-4000-8000-)" + std::to_string(100000000000 + i) +
                       R"(","title":")" + std::string(200 + i % 100, 'a' + i % 26) + "\"}");
    }
    std::vector<bus::Message> messages;
    for (int i = 0; i < kRecords; ++i) {
      messages.push_back({keys[i], values[i], start + static_cast<int64_t>(i) * 90'000});  // 5 hours
    }
    producer->Append(messages, [](Result<std::vector<bus::Position>> r) { EXPECT_TRUE(r.ok()); });
    EXPECT_TRUE(producer->Flush(std::chrono::seconds(120)).ok());
    std::map<int32_t, int64_t> ends;
    auto described = bus->DescribeTopic("pins");
    EXPECT_TRUE(described.ok());
    for (const auto& p : described.value()) ends[p.partition] = p.end_offset;
    return ends;
  }

  size_t ObjectCount() {
    auto listed = store_->List("raw/pins/");
    return listed.ok() ? listed->size() : 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<lake::LocalObjectStore> store_;
};

TEST_F(LandCrashTest, KillNineRepeatedlyThenFinishLandsEveryOffsetExactlyOnce) {
  std::map<int32_t, int64_t> ends = Produce();
  int64_t total = 0;
  for (const auto& [p, end] : ends) total += end;
  ASSERT_EQ(total, kRecords);
  store_ = std::move(lake::LocalObjectStore::Open(dir_.File("lake"), io::PosixFileSystem())).value();

  int kills = 0;
  for (size_t target : {5u, 20u, 45u, 80u}) {
    auto land = testing::Subprocess::Start(LandArgs(/*once=*/false));
    ASSERT_TRUE(land.has_value());
    // Kill as soon as the lake has grown past the target (mid-stream).
    testing::WaitFor([&] { return ObjectCount() >= target || !land->Running(); }, std::chrono::seconds(60));
    if (land->Running()) {
      land->Signal(SIGKILL);
      ++kills;
    }
    auto code = land->Wait(std::chrono::seconds(30));
    ASSERT_TRUE(code.has_value());
    // Whatever was killed mid-put is invisible to List.
    auto listed = store_->List("");
    ASSERT_TRUE(listed.ok());
    for (const auto& o : listed.value()) EXPECT_EQ(o.key.find("/.tmp-"), std::string::npos) << o.key;
  }
  EXPECT_GE(kills, 2) << "land finished before it could be killed; make the log bigger";

  testing::RunResult finish = testing::Run(LandArgs(/*once=*/true));
  ASSERT_EQ(finish.exit_code, 0) << finish.err;
  auto stray = store_->StrayTempFiles("");
  ASSERT_TRUE(stray.ok());
  EXPECT_TRUE(stray->empty()) << (*stray)[0];

  // Every offset of every partition exactly once, each line in its object's range.
  std::map<int32_t, std::vector<int64_t>> offsets;
  auto listed = store_->List("raw/pins/");
  ASSERT_TRUE(listed.ok());
  int objects = 0;
  for (const auto& o : listed.value()) {
    auto key = lake::ParseRawObjectKey("pins", o.key);
    if (!key) continue;
    ++objects;
    auto bytes = store_->Get(o.key);
    ASSERT_TRUE(bytes.ok());
    Status st = lake::ZstdForEachLine(*bytes, [&](std::string_view text, int64_t) {
      jobs::LakeLine line;
      std::string scratch;
      PINPIPE_RETURN_IF_ERROR(jobs::ParseLakeLine(text, &line, &scratch));
      EXPECT_EQ(line.partition, key->partition);
      EXPECT_GE(line.offset, key->first_offset);
      EXPECT_LE(line.offset, key->last_offset);
      offsets[line.partition].push_back(line.offset);
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << o.key << ": " << st.ToString();
  }
  EXPECT_GT(objects, 40);
  for (const auto& [p, end] : ends) {
    std::vector<int64_t>& got = offsets[p];
    std::sort(got.begin(), got.end());
    ASSERT_EQ(static_cast<int64_t>(got.size()), end) << "partition " << p;
    for (int64_t i = 0; i < end; ++i) ASSERT_EQ(got[i], i) << "partition " << p;
  }
  // The day's five hours are marked: every partition has passed them.
  for (int h = 0; h < 5; ++h) {
    EXPECT_TRUE(store_->Get(fmt::format("raw/pins/dt=2026-11-20/hr={:02d}/_SUCCESS", h)).ok()) << h;
  }
}

}  // namespace
}  // namespace pinpipe
