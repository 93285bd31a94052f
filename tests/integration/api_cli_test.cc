// `pinpipe api` and `pinpipe emulate` through the real binary: option
// plumbing (token from env and file, usage errors), drain on SIGTERM, and the
// emulator's report, acked list and exit status.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http_client.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using ::testing::HasSubstr;
using testing::PinpipeBin;
using testing::SpawnOptions;
using testing::Subprocess;
using testing::TempDir;
using namespace std::chrono_literals;

constexpr char kRecord[] = R"({"index":1,"unique_id":"5b6a6f6e-1234-4abc-9def-0123456789ab","title":"t"})";

class ApiProcess {
 public:
  // `command`: "api", or "up" (which serves the same API with the same flags).
  ApiProcess(const TempDir& dir, std::vector<std::string> extra, std::map<std::string, std::string> env = {},
             const std::string& command = "api")
      : port_(testing::FreePort()), process_(Start(dir, std::move(extra), std::move(env), port_, command)) {
    EXPECT_TRUE(testing::WaitFor(
        [&] { return !process_->Running() || testing::HttpRequest(port_, "GET", "/healthz").status == 200; }, 20s));
  }
  int port() const { return port_; }
  Subprocess& process() { return *process_; }

 private:
  static std::optional<Subprocess> Start(const TempDir& dir, std::vector<std::string> extra,
                                         std::map<std::string, std::string> env, int port,
                                         const std::string& command) {
    std::vector<std::string> argv = {PinpipeBin(), "--data-dir", dir.path(), command, "--listen",
                                     "127.0.0.1:" + std::to_string(port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    SpawnOptions o;
    o.env = std::move(env);
    o.stderr_path = dir.File("api.err");
    return Subprocess::Start(argv, o);
  }

  int port_;
  std::optional<Subprocess> process_;
};

TEST(ApiCliTest, HelpShowsRoutesAndAnExample) {
  auto r = testing::Run({PinpipeBin(), "api", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("POST /pins"));
  EXPECT_THAT(r.out, HasSubstr("Example:"));
  EXPECT_THAT(r.out, HasSubstr("--token-file"));
  auto e = testing::Run({PinpipeBin(), "emulate", "--help"});
  EXPECT_EQ(e.exit_code, 0);
  EXPECT_THAT(e.out, HasSubstr("--acked-out"));
  EXPECT_THAT(e.out, HasSubstr("Example:"));
}

TEST(ApiCliTest, TokenFromEnvironmentIsRequired) {
  TempDir dir;
  ApiProcess api(dir, {}, {{"PINPIPE_API_TOKEN", "s3cret"}});
  EXPECT_EQ(testing::HttpRequest(api.port(), "POST", "/pin", kRecord).status, 401);
  EXPECT_EQ(testing::HttpRequest(api.port(), "POST", "/pin", kRecord, {{"Authorization", "Bearer s3cret"}}).status, 202);
}

TEST(ApiCliTest, TokenFromFileIsRequired) {
  TempDir dir;
  testing::WriteFile(dir.File("token"), "t0ken\n");
  ApiProcess api(dir, {"--token-file", dir.File("token")});
  EXPECT_EQ(testing::HttpRequest(api.port(), "POST", "/pins", kRecord, {{"Authorization", "Bearer t0ken"}}).status,
            202);
  EXPECT_EQ(testing::HttpRequest(api.port(), "POST", "/pins", kRecord, {{"Authorization", "Bearer nope"}}).status, 401);
}

TEST(ApiCliTest, UpTakesTheSameTokenAndLimitFlags) {
  TempDir dir;
  ApiProcess up(dir, {"--no-scheduler", "--max-body-bytes", "200"}, {{"PINPIPE_API_TOKEN", "s3cret"}}, "up");
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer s3cret"}};
  EXPECT_EQ(testing::HttpRequest(up.port(), "POST", "/pin", kRecord).status, 401);
  EXPECT_EQ(testing::HttpRequest(up.port(), "POST", "/pin", kRecord, auth).status, 202);
  std::string big = std::string(R"({"title":")") + std::string(300, 'x') + "\"}";
  EXPECT_EQ(testing::HttpRequest(up.port(), "POST", "/pin", big, auth).status, 413);
  up.process().Signal(SIGINT);
  EXPECT_EQ(up.process().Wait(60s), 0) << testing::ReadFile(dir.File("api.err"));
  EXPECT_THAT(testing::ReadFile(dir.File("api.err")), HasSubstr("auth=bearer"));
  auto bad = testing::Run({PinpipeBin(), "--data-dir", dir.path(), "up", "--api-token", "two words"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("whitespace"));
}

TEST(ApiCliTest, UsageErrorsExitTwo) {
  TempDir dir;
  testing::WriteFile(dir.File("token"), "a");
  auto both = testing::Run({PinpipeBin(), "--data-dir", dir.path(), "api", "--listen", "127.0.0.1:0", "--token-file",
                   dir.File("token")},
                  "", {{"PINPIPE_API_TOKEN", "b"}});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("not both"));
  auto bad_listen = testing::Run({PinpipeBin(), "--data-dir", dir.path(), "api", "--listen", "nowhere"});
  EXPECT_EQ(bad_listen.exit_code, 2) << bad_listen.err;
  EXPECT_EQ(testing::Run({PinpipeBin(), "emulate"}).exit_code, 2);
  EXPECT_EQ(testing::Run({PinpipeBin(), "emulate", "--target", "https://x:1"}).exit_code, 2);
  EXPECT_EQ(testing::Run({PinpipeBin(), "emulate", "--target", "http://x:1", "--rate", "5", "--max"}).exit_code, 2);
}

TEST(ApiCliTest, SigtermDrainsAndExitsZero) {
  TempDir dir;
  ApiProcess api(dir, {});
  ASSERT_EQ(testing::HttpRequest(api.port(), "POST", "/pin", kRecord).status, 202);
  api.process().Signal(SIGTERM);
  EXPECT_EQ(api.process().Wait(30s), 0) << testing::ReadFile(dir.File("api.err"));
  EXPECT_THAT(testing::ReadFile(dir.File("api.err")), HasSubstr("event=api_exit"));
  auto cat = testing::Run({PinpipeBin(), "--data-dir", dir.path(), "log", "cat"});
  EXPECT_EQ(cat.out, std::string(kRecord) + "\n");
}

TEST(ApiCliTest, EmulatorReportsAndListsAcknowledgedRecords) {
  TempDir dir;
  ApiProcess api(dir, {});
  std::string target = "http://127.0.0.1:" + std::to_string(api.port());
  auto r = testing::Run({PinpipeBin(), "emulate", "--target", target, "--count", "300", "--batch", "50", "--concurrency", "3",
                "--bad-rate", "0.1", "--seed", "5", "--report-json", dir.File("report.json"), "--acked-out",
                dir.File("acked.ndjson")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("sent 300"));
  EXPECT_THAT(r.out, HasSubstr("latency ms: p50"));
  std::string report = testing::ReadFile(dir.File("report.json"));
  EXPECT_THAT(report, HasSubstr(R"("requests":6,"sent":300,)"));
  EXPECT_THAT(report, HasSubstr(R"("failed":0,)"));
  std::string acked = testing::ReadFile(dir.File("acked.ndjson"));
  size_t lines = std::count(acked.begin(), acked.end(), '\n');
  EXPECT_GT(lines, 200u);
  EXPECT_LT(lines, 300u);
  EXPECT_THAT(report, HasSubstr("\"accepted\":" + std::to_string(lines) + ","));

  // Nothing listening: transport failures, exit 1.
  auto dead = testing::Run({PinpipeBin(), "emulate", "--target", "http://127.0.0.1:" + std::to_string(testing::FreePort()),
                   "--count", "3"});
  EXPECT_EQ(dead.exit_code, 1);
  EXPECT_THAT(dead.out, HasSubstr("failed 3"));
}

TEST(ApiCliTest, EmulatorReplaysAnInputFile) {
  TempDir dir;
  ApiProcess api(dir, {});
  testing::WriteFile(dir.File("in.ndjson"), std::string(kRecord) + "\n\n{\"unique_id\":\"bad\"}\n");
  auto r = testing::Run({PinpipeBin(), "emulate", "--target", "http://127.0.0.1:" + std::to_string(api.port()), "--input",
                dir.File("in.ndjson")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("sent 2  accepted 1  rejected 1  failed 0"));
}

}  // namespace
}  // namespace pinpipe
