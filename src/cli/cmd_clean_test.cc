// `pinpipe clean` through the real binary: file to file, stdin/stdout, the
// reject format, blank lines, the summary, exit codes, and input order kept
// across parallel chunks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "subprocess.h"
#include "test_text.h"

namespace pinpipe::cli {
namespace {

using testing::Lines;

using testing::PinpipeBin;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

constexpr char kGood[] =
    R"({"index": 7, "unique_id": "FBE53C66-3442-4773-B19E-D3EC6F54DDDF", "title": " Hi\u00a0", )"
    R"("follower_count": "1.2k", "tag_list": "a,b", "is_image_or_video": "image", "downloaded": 1})";
constexpr char kGoodClean[] =
    R"({"unique_id":"fbe53c66-3442-4773-b19e-d3ec6f54dddf","ind":7,"title":"Hi","description":null,)"
    R"("poster_name":null,"follower_count":1200,"tag_list":["a","b"],"is_video":false,)"
    R"("media_type":"image","image_src":null,"downloaded":true,"save_location":null,)"
    R"("category":null,"ingested_at":null})";

// The integer after `"key":` (or `"key": `) in a JSON line; -1 when absent.
long long IntField(const std::string& line, const std::string& key) {
  size_t at = line.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  at += key.size() + 3;
  while (at < line.size() && line[at] == ' ') ++at;
  return std::atoll(line.c_str() + at);
}

TEST(CmdCleanTest, FileToFileWithRejectsAndBlankLines) {
  TempDir dir;
  std::string input = std::string(kGood) + "\n\n   \n" + R"({"unique_id": "nope"})" + "\n[1]\n" +
                      R"({"unique_id": "fbe53c66-3442-4773-b19e-d3ec6f54dddf", "title": {"en": 1}})" +
                      "\n{broken\n" + kGood;  // no final newline
  WriteFile(dir.File("raw.ndjson"), input);
  auto r = testing::Run({PinpipeBin(), "clean", "--input", dir.File("raw.ndjson"), "--output",
                dir.File("clean.ndjson"), "--rejects", dir.File("rejects.ndjson")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(dir.File("clean.ndjson")), std::string(kGoodClean) + "\n" + kGoodClean + "\n");
  std::vector<std::string> rejects = Lines(ReadFile(dir.File("rejects.ndjson")));
  ASSERT_EQ(rejects.size(), 4u);
  EXPECT_EQ(rejects[0],
            R"({"line":4,"reason":"invalid_unique_id","field":"unique_id",)"
            R"j("detail":"unique_id is not a UUID (8-4-4-4-12 hex digits)","raw":"{\"unique_id\": \"nope\"}"})j");
  EXPECT_EQ(rejects[1], R"({"line":5,"reason":"not_object","field":null,)"
                        R"("detail":"top level is array, expected an object","raw":"[1]"})");
  EXPECT_NE(rejects[2].find(R"({"line":6,"reason":"bad_type","field":"title","detail":"expected string, got object")"),
            std::string::npos);
  EXPECT_NE(rejects[3].find(R"({"line":7,"reason":"invalid_json","field":null,)"), std::string::npos);
  EXPECT_NE(r.err.find("clean: records in 6, out 2, rejected 4, blank lines skipped 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid_json 1, not_object 1, missing_unique_id 0, invalid_unique_id 1, bad_type 1"),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("records/s"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CmdCleanTest, StdinToStdout) {
  TempDir dir;
  auto r = testing::Run({PinpipeBin(), "clean", "--input", "-", "--output", "-", "--rejects", dir.File("rej.ndjson")},
               std::string(kGood) + "\n42\n" + kGood + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kGoodClean) + "\n" + kGoodClean + "\n");
  EXPECT_EQ(Lines(ReadFile(dir.File("rej.ndjson"))).size(), 1u);
  EXPECT_NE(ReadFile(dir.File("rej.ndjson")).find(R"("line":2,"reason":"not_object")"), std::string::npos);
}

TEST(CmdCleanTest, RejectsToStdoutCleanToFile) {
  TempDir dir;
  auto r = testing::Run({PinpipeBin(), "clean", "--input", "-", "--output", dir.File("c.ndjson"), "--rejects", "-"},
               "null\n" + std::string(kGood) + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"line":1,"reason":"not_object","field":null,"detail":"top level is null, expected an object","raw":"null"})"
                   "\n");
  EXPECT_EQ(ReadFile(dir.File("c.ndjson")), std::string(kGoodClean) + "\n");
}

TEST(CmdCleanTest, EmptyInputGivesEmptyOutputs) {
  TempDir dir;
  auto r = testing::Run({PinpipeBin(), "clean", "--input", "-", "--output", dir.File("c"), "--rejects", dir.File("r")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(dir.File("c")), "");
  EXPECT_EQ(ReadFile(dir.File("r")), "");
  EXPECT_NE(r.err.find("records in 0, out 0"), std::string::npos);
}

TEST(CmdCleanTest, MissingInputFileFailsWithOneLine) {
  TempDir dir;
  auto r = testing::Run({PinpipeBin(), "clean", "--input", dir.File("absent.ndjson"), "--output", dir.File("c"),
                "--rejects", dir.File("r")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("pinpipe clean: --input"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("absent.ndjson"), std::string::npos) << r.err;
}

TEST(CmdCleanTest, UnwritableOutputFails) {
  TempDir dir;
  auto r = testing::Run({PinpipeBin(), "clean", "--input", "-", "--output", dir.File("no/such/dir/c"), "--rejects",
                dir.File("r")}, std::string(kGood) + "\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("--output"), std::string::npos) << r.err;
}

TEST(CmdCleanTest, WriteErrorFails) {
  TempDir dir;
  std::string input;
  for (int i = 0; i < 100; ++i) input += std::string(kGood) + "\n";
  auto r = testing::Run({PinpipeBin(), "clean", "--input", "-", "--output", "/dev/full", "--rejects", dir.File("r")}, input);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
}

TEST(CmdCleanTest, UsageErrorsExitTwo) {
  TempDir dir;
  EXPECT_EQ(testing::Run({PinpipeBin(), "clean", "--output", "-", "--rejects", dir.File("r")}).exit_code, 2);
  EXPECT_EQ(testing::Run({PinpipeBin(), "clean", "--input", "-", "--output", "-", "--rejects", "-"}).exit_code, 2);
  EXPECT_EQ(testing::Run({PinpipeBin(), "clean", "--input", "-", "--output", dir.File("o"), "--rejects",
                          dir.File("o")}).exit_code, 2);
  auto same = testing::Run({PinpipeBin(), "clean", "--input", dir.File("x"), "--output", dir.File("x"), "--rejects",
                   dir.File("r")});
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_NE(same.err.find("must differ from --input"), std::string::npos) << same.err;
}

TEST(CmdCleanTest, HelpShowsAnExample) {
  auto r = testing::Run({PinpipeBin(), "clean", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Example:"), std::string::npos);
  EXPECT_NE(r.out.find("--rejects"), std::string::npos);
}

TEST(CmdCleanTest, OrderIsKeptAcrossParallelChunks) {
  TempDir dir;
  // ~40k generated records (~24 MB) span many 1 MB chunks on 4 threads.
  auto gen = testing::Run({PinpipeBin(), "gen", "--count", "40000", "--seed", "3", "--bad-rate", "0.01"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  ASSERT_GT(gen.out.size(), 8u << 20);
  WriteFile(dir.File("raw.ndjson"), gen.out);
  auto r = testing::Run({PinpipeBin(), "clean", "--threads", "4", "--input", dir.File("raw.ndjson"), "--output",
                dir.File("clean.ndjson"), "--rejects", dir.File("rejects.ndjson")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> raw = Lines(gen.out);
  std::vector<std::string> clean = Lines(ReadFile(dir.File("clean.ndjson")));
  std::vector<std::string> rejects = Lines(ReadFile(dir.File("rejects.ndjson")));
  ASSERT_EQ(raw.size(), 40000u);
  ASSERT_EQ(clean.size() + rejects.size(), raw.size());
  // Walk the input: each line is either the next clean line (same index) or
  // the next reject (same line number).
  size_t ci = 0, ri = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (ri < rejects.size() && IntField(rejects[ri], "line") == static_cast<long long>(i + 1)) {
      ++ri;
      continue;
    }
    ASSERT_LT(ci, clean.size());
    ASSERT_EQ(IntField(clean[ci], "ind"), IntField(raw[i], "index")) << "input line " << i + 1;
    ++ci;
  }
  EXPECT_EQ(ci, clean.size());
  EXPECT_EQ(ri, rejects.size());
  EXPECT_GT(rejects.size(), 200u);
}

}  // namespace
}  // namespace pinpipe::cli
