// `pinpipe gen` through the real binary: count, determinism, and that
// --bad-rate records are the ones `pinpipe clean` rejects.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "subprocess.h"

namespace pinpipe::cli {
namespace {

using testing::PinpipeBin;
using testing::ReadFile;
using testing::TempDir;

TEST(CmdGenTest, SameSeedSameBytesDifferentSeedDifferentBytes) {
  auto a = testing::Run({PinpipeBin(), "gen", "--count", "2000", "--seed", "42"});
  auto b = testing::Run({PinpipeBin(), "gen", "--count", "2000", "--seed", "42"});
  auto c = testing::Run({PinpipeBin(), "gen", "--count", "2000", "--seed", "43"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), '\n'), 2000);
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
}

TEST(CmdGenTest, BadRateRecordsAreRejectedByClean) {
  TempDir dir;
  auto gen = testing::Run({PinpipeBin(), "gen", "--count", "5000", "--bad-rate", "0.2"});
  ASSERT_EQ(gen.exit_code, 0);
  auto clean = testing::Run({PinpipeBin(), "clean", "--input", "-", "--output", dir.File("c"), "--rejects", dir.File("r")},
                   gen.out);
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  std::string rejects = ReadFile(dir.File("r"));
  long rejected = std::count(rejects.begin(), rejects.end(), '\n');
  EXPECT_NEAR(rejected, 1000, 200);
  for (const char* reason : {"invalid_json", "not_object", "missing_unique_id", "invalid_unique_id", "bad_type"}) {
    EXPECT_NE(rejects.find(std::string("\"reason\":\"") + reason + "\""), std::string::npos) << reason;
  }
}

TEST(CmdGenTest, CountIsRequired) {
  auto r = testing::Run({PinpipeBin(), "gen"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--count"), std::string::npos);
  EXPECT_EQ(testing::Run({PinpipeBin(), "gen", "--count", "1", "--bad-rate", "2"}).exit_code, 2);
}

}  // namespace
}  // namespace pinpipe::cli
