// The landed-line codec: a writer that emits one fixed shape, and a strict,
// allocation-light parser that accepts any JSON object carrying the envelope,
// with a fast path for exactly the writer's shape (nearly every line read).
#include "jobs/lake_line.h"

#include <charconv>
#include <cstring>

#include "jobs/lake_line_json.h"

namespace pinpipe::jobs {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr UnixMicros kYear10000 = 253'402'300'800LL * kMicrosPerSecond;  // 10000-01-01T00:00:00Z
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// True when none of the 8 bytes at p is '"', '\' or a control character.
bool PlainWord(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  uint64_t w;
  std::memcpy(&w, p, 8);
  uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  uint64_t special = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | ((w - kOnes * 0x20) & ~w);
  return (special & kHighs) == 0;
}

// Appends `s` (valid UTF-8) as a JSON string literal; only '"', '\' and
// control characters are escaped, so the text stays readable.
void AppendEscaped(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // start of the pending unescaped run
  for (size_t i = 0; i < s.size(); ++i) {
    while (i + 8 <= s.size() && PlainWord(s.data() + i)) i += 8;
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(esc, 6);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendBase64(std::string_view s, std::string* out) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  for (; i + 3 <= s.size(); i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    char quad[4] = {kBase64[v >> 18], kBase64[(v >> 12) & 63], kBase64[(v >> 6) & 63], kBase64[v & 63]};
    out->append(quad, 4);
  }
  size_t rest = s.size() - i;
  if (rest > 0) {
    uint32_t v = p[i] << 16;
    if (rest == 2) v |= p[i + 1] << 8;
    out->push_back(kBase64[v >> 18]);
    out->push_back(kBase64[(v >> 12) & 63]);
    out->push_back(rest == 2 ? kBase64[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
  out->push_back('"');
}

template <typename T>
void AppendInt(T v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

}  // namespace

// FormatRfc3339Micros with the text up to the second cached per thread:
// records come in time order, so most share their second with the last one.
void AppendTimestamp(UnixMicros t, std::string* out) {
  thread_local int64_t cached_second = INT64_MIN;
  thread_local std::string prefix;  // "YYYY-MM-DDTHH:MM:SS."
  int64_t second = t / kMicrosPerSecond - (t % kMicrosPerSecond < 0 ? 1 : 0);
  if (second != cached_second) {
    cached_second = second;
    prefix = FormatRfc3339Micros(second * kMicrosPerSecond).substr(0, 20);
  }
  int64_t micros = t - second * kMicrosPerSecond;
  out->append(prefix);
  char digits[7] = {};
  for (int i = 5; i >= 0; --i, micros /= 10) digits[i] = static_cast<char>('0' + micros % 10);
  out->append(digits, 6);
  out->push_back('Z');
}

void AppendLakeLine(UnixMicros ingested_at, int32_t partition, int64_t offset, std::string_view raw,
                    std::string* out) {
  out->append("{\"ingested_at\":\"");
  AppendTimestamp(ingested_at, out);
  out->append("\",\"partition\":");
  AppendInt(partition, out);
  out->append(",\"offset\":");
  AppendInt(offset, out);
  if (IsValidUtf8(raw)) {
    out->append(",\"raw\":");
    AppendEscaped(raw, out);
  } else {
    out->append(",\"raw_base64\":");
    AppendBase64(raw, out);
  }
  out->push_back('}');
}

namespace {

// AppendLakeLine's output, byte for byte: these literals, with the
// timestamp, two integers and the raw string between them.
constexpr std::string_view kWrittenHead = "{\"ingested_at\":\"";
constexpr std::string_view kWrittenPartition = "\",\"partition\":";
constexpr std::string_view kWrittenOffset = ",\"offset\":";
constexpr std::string_view kWrittenRaw = ",\"raw\":";
constexpr size_t kWrittenTimeSize = 27;    // "YYYY-MM-DDTHH:MM:SS.ffffffZ"
constexpr size_t kWrittenSecondSize = 19;  // "YYYY-MM-DDTHH:MM:SS"

bool ConsumeLiteral(std::string_view line, size_t* pos, std::string_view literal) {
  if (line.size() - *pos < literal.size()) return false;
  if (std::memcmp(line.data() + *pos, literal.data(), literal.size()) != 0) return false;
  *pos += literal.size();
  return true;
}

// ingested_at as the writer formats it. ParseRfc3339Micros of such text is
// its whole second plus the six fraction digits, and consecutive records
// mostly share the second, so the second is parsed once per thread and the
// fraction each time. The cache starts at a text that parses to its value.
bool ParseWrittenTime(std::string_view text, UnixMicros* out) {
  struct SecondCache {
    char text[kWrittenSecondSize + 1] = "1970-01-01T00:00:00";
    UnixMicros start = 0;
  };
  thread_local SecondCache cache;
  if (text.size() != kWrittenTimeSize || text[kWrittenSecondSize] != '.' || text.back() != 'Z') return false;
  int64_t micros = 0;
  for (size_t i = kWrittenSecondSize + 1; i < kWrittenTimeSize - 1; ++i) {
    unsigned digit = static_cast<unsigned char>(text[i]) - unsigned{'0'};
    if (digit > 9) return false;
    micros = micros * 10 + digit;
  }
  if (std::memcmp(cache.text, text.data(), kWrittenSecondSize) != 0) {
    auto t = ParseRfc3339Micros(text);
    if (!t.ok()) return false;
    std::memcpy(cache.text, text.data(), kWrittenSecondSize);
    cache.start = *t - micros;
  }
  UnixMicros t = cache.start + micros;
  if (t >= kYear10000) return false;
  *out = t;
  return true;
}

// A decimal as the writer prints it: no sign, no leading zero, at most
// max_digits (< 20, so *out cannot wrap) digits.
bool ParseWrittenInt(std::string_view line, size_t* pos, size_t max_digits, uint64_t* out) {
  size_t begin = *pos, end = begin;
  uint64_t v = 0;
  for (; end < line.size() && end - begin <= max_digits; ++end) {
    unsigned digit = static_cast<unsigned char>(line[end]) - unsigned{'0'};
    if (digit > 9) break;
    v = v * 10 + digit;
  }
  size_t digits = end - begin;
  if (digits == 0 || digits > max_digits || (line[begin] == '0' && digits > 1)) return false;
  *pos = end;
  *out = v;
  return true;
}

// Parses `line` when it has exactly the writer's shape and is valid, with
// the general parser's result. False for anything else, valid or not; the
// general parser then decides (and writes every field again).
bool ParseWrittenLine(std::string_view line, LakeLine* out, std::string* scratch) {
  size_t pos = 0;
  UnixMicros time = 0;
  uint64_t partition = 0, offset = 0;
  if (!ConsumeLiteral(line, &pos, kWrittenHead) || line.size() - pos < kWrittenTimeSize ||
      !ParseWrittenTime(line.substr(pos, kWrittenTimeSize), &time)) {
    return false;
  }
  pos += kWrittenTimeSize;
  if (!ConsumeLiteral(line, &pos, kWrittenPartition) || !ParseWrittenInt(line, &pos, 10, &partition) ||
      partition > INT32_MAX || !ConsumeLiteral(line, &pos, kWrittenOffset) ||
      !ParseWrittenInt(line, &pos, 18, &offset) || !ConsumeLiteral(line, &pos, kWrittenRaw)) {
    return false;
  }
  JsonCursor cur(line, pos);
  std::string_view raw;
  if (!cur.String(&raw, scratch).ok() || cur.pos() + 1 != line.size() || line.back() != '}') return false;
  out->ingested_at = time;
  out->partition = static_cast<int32_t>(partition);
  out->offset = static_cast<int64_t>(offset);
  out->raw = raw;
  return true;
}

// Any JSON object carrying the envelope, members in any order.
Status ParseAnyLakeLine(std::string_view line, LakeLine* out, std::string* scratch) {
  JsonCursor cur(line);
  bool have_time = false, have_partition = false, have_offset = false, have_raw = false;
  std::string key;
  std::string_view value;
  PINPIPE_RETURN_IF_ERROR(cur.BeginObject());
  for (;;) {
    PINPIPE_ASSIGN_OR_RETURN(bool more, cur.NextMember(&key));
    if (!more) break;
    if (key == "ingested_at") {
      if (have_time) return cur.Fail("duplicate key ingested_at");
      PINPIPE_RETURN_IF_ERROR(cur.String(&value, nullptr));
      auto t = ParseRfc3339Micros(value);
      if (!t.ok()) return cur.Fail("bad ingested_at: " + t.status().message());
      // Years 0000-9999 only (a leap second at the very end would reach
      // year 10000, which RFC 3339 text cannot hold).
      if (*t >= kYear10000) return cur.Fail("ingested_at after year 9999");
      out->ingested_at = *t;
      have_time = true;
    } else if (key == "partition") {
      if (have_partition) return cur.Fail("duplicate key partition");
      int64_t p = 0;
      PINPIPE_RETURN_IF_ERROR(cur.NonNegativeInt(&p));
      if (p > INT32_MAX) return cur.Fail("partition out of range");
      out->partition = static_cast<int32_t>(p);
      have_partition = true;
    } else if (key == "offset") {
      if (have_offset) return cur.Fail("duplicate key offset");
      PINPIPE_RETURN_IF_ERROR(cur.NonNegativeInt(&out->offset));
      have_offset = true;
    } else if (key == "raw" || key == "raw_base64") {
      if (have_raw) return cur.Fail("more than one of raw / raw_base64");
      if (key == "raw") {
        PINPIPE_RETURN_IF_ERROR(cur.String(&out->raw, scratch));
      } else {
        PINPIPE_RETURN_IF_ERROR(cur.Base64(&out->raw, scratch));
      }
      have_raw = true;
    } else {
      PINPIPE_RETURN_IF_ERROR(cur.SkipValue());
    }
  }
  PINPIPE_RETURN_IF_ERROR(cur.End());
  if (!have_time) return Status::Corruption("landed line lacks ingested_at");
  if (!have_partition) return Status::Corruption("landed line lacks partition");
  if (!have_offset) return Status::Corruption("landed line lacks offset");
  if (!have_raw) return Status::Corruption("landed line lacks raw / raw_base64");
  return Status::Ok();
}

}  // namespace

Status ParseLakeLine(std::string_view line, LakeLine* out, std::string* scratch) {
  // Only lines the fast path does not take in full (other shapes, and every
  // error, so messages come from one place) pay for the general parser.
  if (ParseWrittenLine(line, out, scratch)) return Status::Ok();
  return ParseAnyLakeLine(line, out, scratch);
}

}  // namespace pinpipe::jobs
