// How records are made: every choice whose share is part of the profile
// (media type, placeholders, follower_count form, ...) reads a Weyl sequence
// (position × an irrational constant, mod 2^64) per choice, so shares are
// within a fraction of a percent of the target for any count; everything
// else (words, numbers, UUIDs) comes from SplitMix64 seeded by the position.
#include "emulate/record_generator.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "pin/pin.h"

namespace pinpipe::emulate {
namespace {

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// SplitMix64 (Steele, Lea, Flood): small, fast, identical everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_ += 0x9E3779B97F4A7C15ULL); }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((unsigned __int128)Next() * n >> 64); }
  int64_t Between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(hi - lo + 1)); }
  bool Chance(double p) { return Unit() < p; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) { return items[Below(N)]; }

 private:
  uint64_t state_;
};

// One Weyl sequence per profiled choice.
enum Stream {
  kDupStream, kBadStream, kMediaStream, kClusterStream, kOldStream, kFollowerStream,
  kDescStream, kNbspStream, kTagStream, kImageStream, kPosterStream, kPosterSpaceStream,
  kTitleStream, kCategoryStream, kStreamCount
};
// Fractional parts of the square roots of the first primes, times 2^64.
constexpr std::array<uint64_t, kStreamCount> kWeyl = {
    0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
    0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17, 0x152fecd8f70e5939,
    0x67332667ffc00b31, 0x8eb44a8768581511};

struct Category {
  std::string_view name;
  int weight;  // whole-table count
  std::array<std::string_view, 6> topics;
};
constexpr std::array<Category, 13> kCategories = {{
    {"christmas", 999, {"Christmas Tree", "Holiday Cookies", "Gift Wrapping", "Advent Calendar", "Wreath", "Ornaments"}},
    {"tattoos", 970, {"Fine Line Tattoo", "Sleeve Tattoo", "Minimalist Tattoo", "Floral Tattoo", "Script Tattoo", "Matching Tattoos"}},
    {"quotes", 910, {"Life Quotes", "Motivational Quotes", "Love Quotes", "Friendship Quotes", "Daily Affirmations", "Wise Words"}},
    {"art", 892, {"Watercolor Painting", "Abstract Art", "Oil Painting", "Sketchbook", "Digital Art", "Glowing Art"}},
    {"education", 863, {"Classroom Ideas", "Math Worksheets", "Study Tips", "Homeschool", "Science Experiments", "Lesson Plans"}},
    {"home-decor", 861, {"Living Room", "Farmhouse Decor", "Gallery Wall", "Cozy Bedroom", "Boho Decor", "Reading Nook"}},
    {"travel", 859, {"Travel Tips", "Beach Vacation", "Road Trip", "Hidden Gems", "Packing List", "Bucket List"}},
    {"mens-fashion", 852, {"Men's Fashion", "Street Style", "Summer Outfits", "Smart Casual", "Denim Jacket", "Sneakers"}},
    {"vehicles", 838, {"Classic Cars", "Motorcycles", "Camper Van", "Electric Cars", "Off Road", "Vintage Bikes"}},
    {"diy-and-crafts", 830, {"DIY Projects", "Paper Crafts", "Macrame", "Upcycling", "Crochet Pattern", "Candle Making"}},
    {"finance", 786, {"Budget Planner", "Saving Money", "Side Hustle", "Investing Tips", "Debt Free", "Frugal Living"}},
    {"event-planning", 748, {"Wedding Ideas", "Party Decor", "Birthday Party", "Baby Shower", "Table Setting", "Balloon Garland"}},
    {"beauty", 746, {"Makeup Tutorial", "Skin Care", "Nail Art", "Hair Styles", "Natural Makeup", "Beauty Hacks"}},
}};
constexpr int kCategoryWeightTotal = 11154;

constexpr std::array<std::string_view, 12> kAdjectives = {
    "Easy", "Simple", "Cute", "Modern", "Vintage", "Cozy", "Creative", "Beautiful", "Minimalist",
    "Budget", "Stunning", "Quick"};
constexpr std::array<std::string_view, 8> kAudiences = {
    "Beginners", "Men", "Women", "Kids", "Small Spaces", "Everyone", "Teachers", "Students"};
constexpr std::array<std::string_view, 12> kGeneralTags = {
    "Ideas", "Inspiration", "Aesthetic", "DIY", "Tips", "Home", "Style", "Gift Ideas", "Vintage",
    "Minimalist", "Tips & Tricks", "Wallpaper"};
constexpr std::array<std::string_view, 8> kNonLatin = {
    "Уютная гостиная", "Идеи для подарков", "かわいいネイルアート", "旅行のヒント",
    "أفكار ديكور المنزل", "اقتباسات ملهمة", "가을 패션 코디", "简单的手工"};
constexpr std::array<std::string_view, 10> kEmoji = {
    "✨", "🎄", "❤️", "🔥", "😍", "👨\u200d👩\u200d👧", "👩\u200d💻", "🏳️\u200d🌈", "🧑\u200d🎄",
    "❤️\u200d🔥"};
constexpr std::array<std::string_view, 12> kFirstNames = {
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Mia", "Lucas", "Sofia", "Amelia", "Mateo", "Chloé", "Zoë"};
constexpr std::array<std::string_view, 12> kLastNames = {
    "Smith", "Garcia", "Müller", "Rossi", "Kowalski", "Nguyen", "O'Brien", "Silva", "Dubois",
    "Jensen", "Tanaka", "Okafor"};
constexpr std::array<std::string_view, 8> kBrands = {
    "Studio", "Daily", "Collective", "Hub", "Journal", "Corner", "Co.", "Lab"};

constexpr std::string_view kDominantPoster = "Bright Ideas Hub";
constexpr std::array<std::string_view, 4> kImageExt = {"jpg", "jpg", "png", "webp"};

// Raw fields in the order the original API sends them.
enum RawField {
  kIndex, kUniqueId, kTitle, kDescription, kPosterName, kFollowerCount, kTagList, kMedia,
  kImageSrc, kDownloaded, kSaveLocation, kCategory, kRawFieldCount
};
constexpr std::array<std::string_view, kRawFieldCount> kRawNames = {
    "index", "unique_id", "title", "description", "poster_name", "follower_count", "tag_list",
    "is_image_or_video", "image_src", "downloaded", "save_location", "category"};

// One record as JSON value texts, so bad variants can swap a value's type or
// drop a field before it is joined into an object.
struct RawPin {
  std::array<std::string, kRawFieldCount> value;
  std::array<bool, kRawFieldCount> present{};
  void Set(RawField f, std::string_view json) {
    value[f].clear();  // clear + append: assign() trips GCC 12's -Wrestrict
    value[f].append(json);
    present[f] = true;
  }
  void SetString(RawField f, std::string_view text) {
    value[f].clear();
    pin::AppendJsonString(text, &value[f]);
    present[f] = true;
  }
  void AppendTo(std::string* out) const {
    out->push_back('{');
    bool first = true;
    for (int f = 0; f < kRawFieldCount; ++f) {
      if (!present[f]) continue;
      if (!first) out->append(", ");
      first = false;
      out->push_back('"');
      out->append(kRawNames[f]);
      out->append("\": ");
      out->append(value[f]);
    }
    out->push_back('}');
  }
};

}  // namespace

namespace {

enum class Media { kImage, kVideo, kStory, kNull };

// The per-seed offsets of the Weyl sequences and the base of per-position RNGs.
class Profile {
 public:
  explicit Profile(uint64_t seed) : seed_(Mix(seed ^ 0x5851F42D4C957F2DULL)) {
    for (int s = 0; s < kStreamCount; ++s) offset_[s] = Mix(seed_ + 0x9E3779B97F4A7C15ULL * (s + 1));
  }
  // The choice `s` at `position`, uniform in [0, 1).
  double Unit(Stream s, int64_t position) const {
    uint64_t u = offset_[s] + static_cast<uint64_t>(position) * kWeyl[s];
    return static_cast<double>(u >> 11) * 0x1.0p-53;
  }
  Rng RngAt(int64_t position, uint64_t salt) const {
    return Rng(Mix(seed_ ^ Mix(static_cast<uint64_t>(position) * 4 + salt)));
  }
  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_;
  std::array<uint64_t, kStreamCount> offset_;
};

void AppendUuid(Rng& rng, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t halves[2] = {rng.Next(), rng.Next()};
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out->push_back('-');
    int nibble = static_cast<int>((halves[i / 16] >> (60 - 4 * (i % 16))) & 0xF);
    if (i == 12) nibble = 4;                   // version 4
    if (i == 16) nibble = 8 | (nibble & 0x3);  // RFC 4122 variant
    out->push_back(kHex[nibble]);
  }
}

void AppendMd5Like(Rng& rng, std::string* hex) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t a = rng.Next(), b = rng.Next();
  for (int i = 0; i < 16; ++i) hex->push_back(kHex[(a >> (60 - 4 * i)) & 0xF]);
  for (int i = 0; i < 16; ++i) hex->push_back(kHex[(b >> (60 - 4 * i)) & 0xF]);
}

const Category& PickCategory(double u) {
  int target = static_cast<int>(u * kCategoryWeightTotal);
  for (const Category& c : kCategories) {
    if (target < c.weight) return c;
    target -= c.weight;
  }
  return kCategories.back();
}

void AppendTitle(Rng& rng, const Category& cat, double variant, std::string* t) {
  std::string_view topic = rng.Pick(cat.topics);
  switch (rng.Below(5)) {
    case 0: *t += rng.Pick(kAdjectives); *t += ' '; *t += topic; break;
    case 1: *t += std::to_string(rng.Between(5, 50)); *t += ' '; *t += rng.Pick(kAdjectives);
            *t += ' '; *t += topic; *t += " Ideas"; break;
    case 2: *t += topic; *t += " for "; *t += rng.Pick(kAudiences); break;
    case 3: *t += "How to Style Your "; *t += topic; break;
    default: *t += topic; *t += ' '; *t += std::to_string(rng.Between(2019, 2026)); break;
  }
  // Rare shapes of real titles, each its own slice of the variant choice.
  if (variant < 0.0001) { t->clear(); return; }
  if (variant < 0.0002) { *t = "Untitled"; return; }
  if (variant < 0.0022) { *t += " \\ "; *t += rng.Pick(kAdjectives); return; }
  size_t space = t->find(' ') == std::string::npos ? 0 : t->find(' ');
  if (variant < 0.0122) { t->insert(space, 1, '\n'); return; }
  if (variant < 0.0222) { t->insert(space, 1, ' '); return; }
  if (variant < 0.0272) {
    std::string html = "<p style=font-size:12px>";
    html += *t;
    html += "</p>";
    t->swap(html);
    return;
  }
  if (variant < 0.0572) { *t += ' '; *t += rng.Pick(kEmoji); return; }
  if (variant < 0.0872) { *t = rng.Pick(kNonLatin); return; }
}

void AppendSentence(Rng& rng, const Category& cat, std::string* d) {
  std::string_view topic = rng.Pick(cat.topics);
  switch (rng.Below(5)) {
    case 0: *d += "Find and save ideas about "; *d += topic; *d += " on Pinterest."; break;
    case 1: *d += std::to_string(rng.Between(5, 40)); *d += ' '; *d += rng.Pick(kAdjectives);
            *d += " ideas for "; *d += topic; *d += ", from "; *d += rng.Pick(cat.topics);
            *d += " to "; *d += rng.Pick(cat.topics); *d += '.'; break;
    case 2: *d += "Check out this "; *d += rng.Pick(kAdjectives); *d += ' '; *d += topic;
            *d += " \u2014 perfect for "; *d += rng.Pick(kAudiences); *d += '.'; break;
    case 3: *d += "Our favourite "; *d += topic; *d += " this season, step by step."; break;
    default:
      for (std::string_view word : {topic, rng.Pick(cat.topics)}) {
        *d += '#';
        for (char c : word) {
          if (c != ' ' && c != '\'') *d += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        *d += ' ';
      }
      *d += "\u201c"; *d += rng.Pick(kAdjectives); *d += "\u201d"; break;
  }
}

// A real description: one or two sentences, or (truncated) a longer text cut
// at a word the way Pinterest cuts, ending in "…" and a no-break space.
void AppendDescription(Rng& rng, const Category& cat, bool truncated, std::string* d) {
  if (rng.Chance(0.03)) {
    *d += rng.Pick(kNonLatin);
    *d += ". ";
  }
  AppendSentence(rng, cat, d);
  size_t target = truncated ? 200 : (rng.Chance(0.5) ? 60 : 0);
  while (d->size() < target) {
    *d += rng.Chance(0.05) ? "\n" : " ";
    AppendSentence(rng, cat, d);
  }
  if (rng.Chance(0.08)) {
    *d += ' ';
    *d += rng.Pick(kEmoji);
  }
  if (truncated) {
    size_t cut = d->rfind(' ', static_cast<size_t>(rng.Between(120, 172)));
    d->resize(cut == std::string::npos ? 120 : cut);
    *d += "\u2026\u00a0";
  } else if (d->size() > 180) {
    size_t cut = d->rfind(' ', 180);
    d->resize(cut == std::string::npos || cut == 0 ? 180 : cut);
  }
}

void AppendPosterName(const Profile& profile, uint64_t id, std::string* p) {
  Rng rng(Mix(profile.seed() + 0xD1B54A32D192ED03ULL * (id + 1)));
  switch (rng.Below(3)) {
    case 0: *p += rng.Pick(kFirstNames); *p += ' '; *p += rng.Pick(kLastNames); break;
    case 1: *p += rng.Pick(kAdjectives); *p += ' '; *p += rng.Pick(kCategories).topics[rng.Below(6)];
            *p += ' '; *p += rng.Pick(kBrands); break;
    default: *p += rng.Pick(kFirstNames); *p += "'s "; *p += rng.Pick(kAdjectives); *p += ' ';
             *p += rng.Pick(kBrands); break;
  }
}

// Distinct tags from the category's topics and the general tags, joined by
// `,` without spaces, as the real tag_list strings are.
void AppendTags(Rng& rng, const Category& cat, std::string* t) {
  constexpr size_t kPool = std::tuple_size_v<decltype(cat.topics)> + kGeneralTags.size();
  std::array<std::string_view, kPool> pool;
  size_t n = 0;
  for (std::string_view topic : cat.topics) pool[n++] = topic;
  for (std::string_view tag : kGeneralTags) pool[n++] = tag;
  size_t count = rng.Chance(0.92) ? 9 : static_cast<size_t>(rng.Between(3, 12));
  for (size_t i = 0; i < count; ++i) {
    std::swap(pool[i], pool[i + rng.Below(kPool - i)]);  // partial Fisher-Yates
    if (t->size() + pool[i].size() + 1 > 254) break;
    if (!t->empty()) t->push_back(',');
    *t += pool[i];
  }
}

void AppendImageUrl(Rng& rng, Media media, std::string* u) {
  std::string md5;
  AppendMd5Like(rng, &md5);
  bool video = media == Media::kVideo || media == Media::kStory;
  *u += video ? "https://i.pinimg.com/videos/thumbnails/originals/" : "https://i.pinimg.com/originals/";
  for (int level = 0; level < 3; ++level) u->append(md5, 2 * level, 2).push_back('/');
  *u += md5;
  *u += video ? ".0000001.jpg" : ".";
  if (!video) *u += rng.Chance(0.02) ? "gif" : rng.Pick(kImageExt);
}

}  // namespace

namespace {

// Builds the original record at `position`; a replay passes `vary` to nudge
// the follower count the way a re-sent pin differs.
class PinBuilder {
 public:
  PinBuilder(const Profile& profile, RawPin* pin) : profile_(profile), pin_(pin) {}

  void Build(int64_t position, Rng* vary) {
    const Profile& pr = profile_;
    Rng rng = pr.RngAt(position, 0);
    double um = pr.Unit(kMediaStream, position);
    Media media = um < 0.0006 ? Media::kNull : um < 0.0806 ? Media::kStory
                : um < 0.1106 ? Media::kVideo : Media::kImage;
    bool cluster = media == Media::kStory && pr.Unit(kClusterStream, position) < 0.10;
    const Category& cat = PickCategory(pr.Unit(kCategoryStream, position));
    double poster_u = pr.Unit(kPosterStream, position);
    bool dominant = !cluster && poster_u < 0.022;

    pin_->present.fill(false);
    pin_->Set(kIndex, std::to_string(position));
    text_.clear();
    AppendUuid(rng, &text_);
    pin_->SetString(kUniqueId, text_);

    text_.clear();
    if (cluster) {
      text_ = "No Title Data Available";
    } else {
      AppendTitle(rng, cat, pr.Unit(kTitleStream, position), &text_);
    }
    pin_->SetString(kTitle, text_);

    text_.clear();
    if (media == Media::kStory) {
      text_ = "No description available Story format";
    } else if (pr.Unit(kDescStream, position) < 0.0174) {
      text_ = "No description available";
    } else {
      // A tenth of descriptions come from a small shared pool (reused text).
      bool pooled = rng.Chance(0.1);
      Rng text_rng = pooled ? Rng(Mix(pr.seed() ^ (0xA24BAED4963EE407ULL + rng.Below(300)))) : rng;
      AppendDescription(text_rng, cat, pr.Unit(kNbspStream, position) < 0.36, &text_);
      if (!pooled) rng = text_rng;
    }
    pin_->SetString(kDescription, text_);

    if (pr.Unit(kOldStream, position) >= 0.10) {  // the older variant has no poster_name
      text_.clear();
      if (cluster) {
        text_ = "User Info Error";
      } else if (dominant) {
        text_ = kDominantPoster;
      } else {
        double skew = rng.Unit();
        AppendPosterName(pr, static_cast<uint64_t>(3000 * skew * skew), &text_);
        if (pr.Unit(kPosterSpaceStream, position) < 0.015) text_ += rng.Chance(0.5) ? " " : "  ";
      }
      pin_->SetString(kPosterName, text_);
    }

    BuildFollowers(position, rng, cluster, dominant, vary);
    BuildTail(position, rng, cat, media, cluster);
  }

 private:
  void BuildFollowers(int64_t position, Rng& rng, bool cluster, bool dominant, Rng* vary) {
    text_.clear();
    if (cluster) {
      text_ = "User Info Error";
    } else {
      double u = profile_.Unit(kFollowerStream, position);
      int64_t n = 942;  // the dominant poster always shows 942k
      std::string_view suffix = "k";
      if (!dominant && u < 0.746) {
        double skew = rng.Unit();
        n = 1 + static_cast<int64_t>(990 * skew * skew);
      } else if (!dominant && u < 0.926) {
        n = rng.Between(0, 970);
        suffix = "";
      } else if (!dominant) {
        uint64_t pick = rng.Below(10);
        n = pick < 3 ? 2 : pick < 5 ? 5 : rng.Between(1, 15);
        suffix = "M";
      }
      if (vary != nullptr && vary->Chance(0.5) && suffix != "M") n += n > 1 ? -1 : 1;
      text_ = std::to_string(n);
      text_ += suffix;
    }
    pin_->SetString(kFollowerCount, text_);
  }

  void BuildTail(int64_t position, Rng& rng, const Category& cat, Media media, bool cluster) {
    text_.clear();
    if (cluster || profile_.Unit(kTagStream, position) < 0.0071) {
      text_ = "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e";
    } else {
      AppendTags(rng, cat, &text_);
    }
    pin_->SetString(kTagList, text_);

    switch (media) {
      case Media::kImage: pin_->SetString(kMedia, "image"); break;
      case Media::kVideo: pin_->SetString(kMedia, "video"); break;
      case Media::kStory: pin_->SetString(kMedia, "multi-video(story page format)"); break;
      case Media::kNull: pin_->Set(kMedia, "null"); break;
    }

    double ui = profile_.Unit(kImageStream, position);
    bool image_error = cluster || ui < 0.0212;
    if (image_error) {
      pin_->SetString(kImageSrc, "Image src error.");
    } else if (ui < 0.0218) {
      pin_->Set(kImageSrc, "null");
    } else {
      text_.clear();
      AppendImageUrl(rng, media, &text_);
      pin_->SetString(kImageSrc, text_);
    }
    pin_->Set(kDownloaded, image_error ? "0" : "1");
    text_ = "Local save in /data/";
    text_ += cat.name;
    pin_->SetString(kSaveLocation, text_);
    pin_->SetString(kCategory, cat.name);
  }

  const Profile& profile_;
  RawPin* pin_;
  std::string text_;
};

// Turns the record at `position` into one the cleaner rejects, in one of
// several ways real clients get it wrong.
void AppendBad(Rng& rng, RawPin* pin, std::string* out) {
  switch (rng.Below(10)) {
    case 0: {  // cut short (a proper prefix of an object is never valid JSON)
      std::string whole;
      pin->AppendTo(&whole);
      out->append(pin::TruncateUtf8(whole, 1 + rng.Below(whole.size() - 1)));
      return;
    }
    case 1: {
      static constexpr std::array<std::string_view, 4> kNotObjects = {
          R"(["fbe53c66-3442-4773-b19e-d3ec6f54dddf", "title"])", "42", R"("just a string")", "null"};
      out->append(rng.Pick(kNotObjects));
      return;
    }
    case 2: pin->present[kUniqueId] = false; break;
    case 3: pin->Set(kUniqueId, "null"); break;
    case 4: pin->Set(kUniqueId, rng.Chance(0.5) ? R"("")" : R"("   ")"); break;
    case 5: {
      static constexpr std::array<std::string_view, 4> kBadIds = {
          R"("not-a-uuid")", R"("fbe53c6634424773b19ed3ec6f54dddf")",
          R"("fbe53c66-3442-4773-b19e-d3ec6f54ddd")", R"("{fbe53c66-3442-4773-b19e-d3ec6f54dddf}")"};
      pin->Set(kUniqueId, rng.Pick(kBadIds));
      break;
    }
    case 6: {
      static constexpr std::array<std::pair<RawField, std::string_view>, 7> kBadTypes = {{
          {kTitle, R"({"en": "Summer outfits"})"}, {kFollowerCount, "true"}, {kTagList, "42"},
          {kDownloaded, "[1]"}, {kUniqueId, "12345"}, {kDescription, R"(["a", "b"])"},
          {kCategory, "false"}}};
      auto [field, value] = rng.Pick(kBadTypes);
      pin->Set(field, value);
      break;
    }
    case 7: pin->Set(kTitle, "\"bad byte \xff here\""); break;  // invalid UTF-8
    case 8: {
      static constexpr std::array<std::string_view, 3> kGarbage = {
          "<html><body>502 Bad Gateway</body></html>", "undefined", "{'title': 'single quotes'}"};
      out->append(rng.Pick(kGarbage));
      return;
    }
    default: {  // trailing comma
      pin->AppendTo(out);
      out->back() = ',';
      out->push_back('}');
      return;
    }
  }
  pin->AppendTo(out);
}

}  // namespace

struct RecordGenerator::State {
  explicit State(uint64_t seed) : profile(seed), builder(profile, &pin) {}
  Profile profile;
  RawPin pin;
  PinBuilder builder;
};

RecordGenerator::RecordGenerator(const GeneratorOptions& options)
    : options_(options), position_(options.first_index),
      state_(std::make_unique<State>(options.seed)) {}
RecordGenerator::~RecordGenerator() = default;
RecordGenerator::RecordGenerator(RecordGenerator&&) noexcept = default;
RecordGenerator& RecordGenerator::operator=(RecordGenerator&&) noexcept = default;

void RecordGenerator::Next(std::string* out) {
  const Profile& profile = state_->profile;
  RawPin& pin = state_->pin;
  PinBuilder& builder = state_->builder;
  int64_t position = position_++;
  auto is_bad = [&](int64_t p) { return profile.Unit(kBadStream, p) < options_.bad_rate; };
  auto is_replay = [&](int64_t p) {
    return p > 0 && !is_bad(p) && profile.Unit(kDupStream, p) < options_.duplicate_rate;
  };
  if (is_bad(position)) {
    Rng rng = profile.RngAt(position, 2);
    builder.Build(position, nullptr);
    AppendBad(rng, &pin, out);
    return;
  }
  if (is_replay(position)) {
    // Replays resend a recent original: same unique_id and index.
    Rng vary = profile.RngAt(position, 1);
    int64_t window = std::min<int64_t>(position, 5000);
    int64_t source = position - 1 - static_cast<int64_t>(vary.Below(static_cast<uint64_t>(window)));
    while (source > 0 && (is_bad(source) || is_replay(source))) --source;
    if (!is_bad(source)) {
      builder.Build(source, &vary);
      pin.AppendTo(out);
      return;
    }
  }
  builder.Build(position, nullptr);
  pin.AppendTo(out);
}

}  // namespace pinpipe::emulate
