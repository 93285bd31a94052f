// The binary COPY bytes, checked against the layout PostgreSQL documents
// (the integration tests check that a real server accepts them).
#include "sinks/postgres/copy_binary_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "sinks/postgres/binary_value.h"
#include "sinks/postgres/pg_connection.h"
#include "test_text.h"

namespace pinpipe::sinks::postgres {
namespace {

using testing::Bytes;

// The payload after the 19-byte header (signature, flags, extension length).
std::string Body(CopyBinaryWriter& w) { return std::string(w.Finish().substr(19)); }

TEST(CopyBinaryWriterTest, HeaderAndTrailerFrameAnEmptyPayload) {
  CopyBinaryWriter w;
  std::string all(w.Finish());
  ASSERT_EQ(all.size(), 21u);
  EXPECT_EQ(all.substr(0, 11), std::string("PGCOPY\n\377\r\n\0", 11));
  EXPECT_EQ(all.substr(11, 8), std::string(8, '\0'));
  EXPECT_EQ(all.substr(19), Bytes({0xFF, 0xFF}));
  EXPECT_EQ(w.rows(), 0);
}

TEST(CopyBinaryWriterTest, ScalarsAreBigEndianWithLengths) {
  CopyBinaryWriter w;
  w.BeginRow(4);
  w.Int32(-2);
  w.Int64(0x0102030405060708);
  w.Bool(true);
  w.Null();
  EXPECT_EQ(Body(w), Bytes({0,    4,                                                     // field count
                            0,    0,    0,    4,    0xFF, 0xFF, 0xFF, 0xFE,              // int4 -2
                            0,    0,    0,    8,    1,    2,    3,    4,    5, 6, 7, 8,  // int8
                            0,    0,    0,    1,    1,                                   // bool
                            0xFF, 0xFF, 0xFF, 0xFF,                                      // NULL
                            0xFF, 0xFF}));                                               // trailer
  EXPECT_EQ(w.rows(), 1);
}

TEST(CopyBinaryWriterTest, TimestampCountsFromTheYear2000) {
  CopyBinaryWriter w;
  w.BeginRow(1);
  w.Timestamp(kPostgresEpochUnixMicros + 1);
  EXPECT_EQ(Body(w), Bytes({0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF}));
}

TEST(CopyBinaryWriterTest, TextWithNulOrInvalidUtf8IsMadeStorable) {
  CopyBinaryWriter w;
  w.BeginRow(1);
  w.Text(std::string("a\0b\xff", 4));
  // a, U+FFFD, b, U+FFFD: 8 bytes.
  EXPECT_EQ(Body(w), Bytes({0, 1, 0, 0, 0, 8, 'a', 0xEF, 0xBF, 0xBD, 'b', 0xEF, 0xBF, 0xBD, 0xFF, 0xFF}));
}

TEST(CopyBinaryWriterTest, TextArrayHasOneDimensionAndElementLengths) {
  CopyBinaryWriter w;
  w.BeginRow(1);
  w.TextArray({"ab", "c"});
  EXPECT_EQ(Body(w), Bytes({0, 1, 0, 0,  0,   31,         // field count, array length
                            0, 0, 0, 1,                   // ndim
                            0, 0, 0, 0,                   // no nulls
                            0, 0, 0, 25,                  // text OID
                            0, 0, 0, 2,  0,   0,   0, 1,  // 2 elements from index 1
                            0, 0, 0, 2,  'a', 'b', 0, 0, 0, 1, 'c', 0xFF, 0xFF}));
}

TEST(CopyBinaryWriterTest, EmptyTextArrayHasNoDimensions) {
  CopyBinaryWriter w;
  w.BeginRow(1);
  w.TextArray({});
  EXPECT_EQ(Body(w), Bytes({0, 1, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0xFF, 0xFF}));
}

TEST(CopyBinaryWriterTest, ResetStartsAFreshPayload) {
  CopyBinaryWriter w;
  w.BeginRow(1);
  w.Int32(1);
  w.Reset();
  EXPECT_EQ(w.Finish().size(), 21u);
  EXPECT_EQ(w.rows(), 0);
}

TEST(PgConnectionTest, SqlStatesOfOutagesAreRetryable) {
  EXPECT_EQ(CodeForSqlState("08006"), StatusCode::kUnavailable);      // connection failure
  EXPECT_EQ(CodeForSqlState("57P01"), StatusCode::kUnavailable);      // admin shutdown
  EXPECT_EQ(CodeForSqlState("40001"), StatusCode::kUnavailable);      // serialization
  EXPECT_EQ(CodeForSqlState("53100"), StatusCode::kUnavailable);      // disk full
  EXPECT_EQ(CodeForSqlState("23505"), StatusCode::kUnavailable);      // unique key raced in
  EXPECT_EQ(CodeForSqlState(""), StatusCode::kUnavailable);           // libpq-side failure
  EXPECT_EQ(CodeForSqlState("28P01"), StatusCode::kInvalidArgument);  // bad password
  EXPECT_EQ(CodeForSqlState("3D000"), StatusCode::kInvalidArgument);  // no such database
  EXPECT_EQ(CodeForSqlState("22021"), StatusCode::kInternal);         // bad encoding: our bug
  EXPECT_EQ(CodeForSqlState("42P01"), StatusCode::kInternal);         // undefined table
}

TEST(PgConnectionTest, MalformedUriIsInvalidArgument) {
  auto conn = PgConnection::Connect("postgresql://[bad", std::chrono::seconds(1), "test");
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kInvalidArgument) << conn.status().ToString();
}

TEST(PgConnectionTest, NoServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there; the refusal is immediate.
  auto conn = PgConnection::Connect("postgresql://nobody@127.0.0.1:1/db", std::chrono::seconds(2), "test");
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable) << conn.status().ToString();
}

}  // namespace
}  // namespace pinpipe::sinks::postgres
