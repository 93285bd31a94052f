// `pinpipe log ...` through the real binary: help, create/describe, produce
// then cat (plain and --with-meta), verify naming the damaged byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "subprocess.h"
#include "test_text.h"

namespace pinpipe::cli {
namespace {

using testing::Lines;

using testing::PinpipeBin;
using testing::ReadFile;
using testing::RunResult;
using testing::TempDir;
using testing::WriteFile;

RunResult Log(const TempDir& dir, std::vector<std::string> args, const std::string& stdin_data = "") {
  std::vector<std::string> argv = {PinpipeBin(), "--log-level", "warn", "log"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--bus");
  argv.push_back("log:" + dir.File("log"));
  return testing::Run(argv, stdin_data);
}

std::string Pin(int i) {
  char uid[64];
  std::snprintf(uid, sizeof uid, "%08x-1111-4222-8333-%012d", i * 2654435761u, i);
  return "{\"index\":" + std::to_string(i) + ",\"unique_id\":\"" + uid + "\",\"title\":\"t" + std::to_string(i) + "\"}";
}

TEST(CmdLogTest, EverySubcommandHasHelpWithAnExample) {
  for (const char* sub : {"create", "describe", "produce", "cat", "verify"}) {
    auto r = testing::Run({PinpipeBin(), "log", sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("Example"), std::string::npos) << sub;
    EXPECT_NE(r.out.find("--bus"), std::string::npos) << sub;
  }
  EXPECT_EQ(testing::Run({PinpipeBin(), "log"}).exit_code, 2);
}

TEST(CmdLogTest, CreateThenDescribeAsTableAndJson) {
  TempDir dir;
  auto created = Log(dir, {"create", "--topic", "events", "--partitions", "3"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(Log(dir, {"create", "--topic", "events", "--partitions", "3"}).exit_code, 0);
  auto other = Log(dir, {"create", "--topic", "events", "--partitions", "5"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("exists with 3 partitions"), std::string::npos) << other.err;
  auto table = Log(dir, {"describe", "--topic", "events"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("topic events: 3 partitions, 0 records"), std::string::npos) << table.out;
  auto json = Log(dir, {"describe", "--topic", "events", "--json"});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_EQ(json.out.rfind("{\"topic\":\"events\",\"records\":0,", 0), 0u) << json.out;
  EXPECT_NE(json.out.find("{\"partition\":2,\"start_offset\":0,\"end_offset\":0,\"records\":0,"), std::string::npos);
  auto missing = Log(dir, {"describe", "--topic", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos);
}

TEST(CmdLogTest, ProduceThenCatReturnsEveryLineVerbatim) {
  TempDir dir;
  std::string input;
  std::multiset<std::string> expected;
  for (int i = 0; i < 2500; ++i) {
    input += Pin(i) + "\n";
    expected.insert(Pin(i));
  }
  const std::string odd = "{\"no_id\":true,\"s\":\"tab\\there\"}";
  input += "\n   \n" + odd;  // blank lines are skipped; the last line has no newline
  expected.insert(odd);
  auto produced = Log(dir, {"produce", "--partitions", "4", "--batch", "300"}, input);
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  EXPECT_NE(produced.err.find("produced 2501 of 2501 records"), std::string::npos) << produced.err;
  auto described = Log(dir, {"describe", "--json"});
  EXPECT_NE(described.out.find("\"records\":2501"), std::string::npos) << described.out;

  auto cat = Log(dir, {"cat"});
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  auto lines = Lines(cat.out);
  EXPECT_EQ(std::multiset<std::string>(lines.begin(), lines.end()), expected);

  // A record without unique_id has the empty key: partition 0.
  auto p0 = Log(dir, {"cat", "--partition", "0", "--with-meta"});
  ASSERT_EQ(p0.exit_code, 0) << p0.err;
  EXPECT_NE(p0.out.find("\"key\":\"\",\"value\":\"{\\\"no_id\\\":true,\\\"s\\\":\\\"tab\\\\there\\\"}\"}"),
            std::string::npos);

  auto some = Log(dir, {"cat", "--partition", "1", "--from", "10", "--count", "3", "--with-meta"});
  ASSERT_EQ(some.exit_code, 0) << some.err;
  auto meta = Lines(some.out);
  ASSERT_EQ(meta.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    std::string prefix = "{\"partition\":1,\"offset\":" + std::to_string(10 + k) + ",\"timestamp\":\"";
    EXPECT_EQ(meta[static_cast<size_t>(k)].rfind(prefix, 0), 0u) << meta[static_cast<size_t>(k)];
    EXPECT_NE(meta[static_cast<size_t>(k)].find("Z\",\"key\":\""), std::string::npos);
  }
  EXPECT_EQ(Log(dir, {"cat", "--partition", "9"}).exit_code, 2);
  auto beyond = Log(dir, {"cat", "--partition", "1", "--from", "999999"});
  EXPECT_EQ(beyond.exit_code, 1);
  EXPECT_NE(beyond.err.find("beyond"), std::string::npos) << beyond.err;
}

TEST(CmdLogTest, CatWithMetaEscapesControlBytesAndInvalidUtf8) {
  TempDir dir;
  std::string raw = std::string("{\"unique_id\":\"x\",\"v\":\"caf\xc3\xa9 \x01 \xff end\"}");
  ASSERT_EQ(Log(dir, {"produce", "--partitions", "1"}, raw + "\n").exit_code, 0);
  auto plain = Log(dir, {"cat"});
  EXPECT_EQ(plain.out, raw + "\n");  // verbatim bytes
  auto meta = Log(dir, {"cat", "--with-meta"});
  EXPECT_NE(meta.out.find("caf\xc3\xa9 \\u0001 \\ufffd end"), std::string::npos) << meta.out;
  // Invalid UTF-8 is not JSON, so no unique_id could be read: the empty key.
  EXPECT_NE(meta.out.find("\"key\":\"\""), std::string::npos);
}

TEST(CmdLogTest, VerifyPassesThenNamesTheDamagedByte) {
  TempDir dir;
  std::string input;
  for (int i = 0; i < 50; ++i) input += Pin(i) + "\n";
  ASSERT_EQ(Log(dir, {"produce", "--partitions", "1"}, input).exit_code, 0);
  auto ok = Log(dir, {"verify"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("verify pins: 1 partitions, 50 records"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(": OK"), std::string::npos);

  std::string segment = dir.File("log/pins/p0/00000000000000000000.log");
  std::string bytes = ReadFile(segment);
  const size_t record = (bytes.size() - 16) / 50;  // the pins are the same length
  const size_t damaged = 16 + 20 * record;
  bytes[damaged + 40] ^= 0x04;
  WriteFile(segment, bytes);
  auto bad = Log(dir, {"verify", "--all-topics"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("CORRUPT " + segment + " position " + std::to_string(damaged) + ": checksum mismatch"),
            std::string::npos)
      << bad.out;
  EXPECT_NE(bad.err.find("corruption found"), std::string::npos);
}

}  // namespace
}  // namespace pinpipe::cli
