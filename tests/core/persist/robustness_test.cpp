// Hostile or damaged images: every truncation and every single-bit flip of a
// small image either throws FormatError or decodes into a state that works
// (run under ASan + UBSan, so an out-of-bounds read or UB fails the test);
// a failed decode leaves the objects untouched; newer versions, a bad magic,
// trailing bytes and absurd counts are refused with a message naming them.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "core/dedup/deduplicator.hpp"
#include "core/engine/engine.hpp"
#include "core/persist/state_codec.hpp"
#include "core/sla/sla_evaluator.hpp"
#include "fixture.hpp"
#include "persist_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;
using ccmon::core::persist::decode_state;
using ccmon::core::persist::encode_state;
using ccmon::core::persist::FormatError;

namespace {

// Decodes `bytes` into a fresh world; on success, uses the result the way
// the daemon would. Returns the FormatError message, or "" when it decoded.
std::string try_decode(std::string_view bytes) {
  World w(fixture_config(), fixture_dedup(), fixture_rules());
  const std::string before = encode_state(w.engine, w.dedup, w.sla, "");
  try {
    decode_state(bytes, w.engine, w.dedup, w.sla);
  } catch (const FormatError& e) {
    // Nothing of a refused image may stick.
    CHECK(encode_state(w.engine, w.dedup, w.sla, "") == before);
    return e.what()[0] == '\0' ? "(empty message)" : e.what();
  }
  for (const Step& s : fixture_steps()) run(w, s);
  const Timestamp later = kT0 + hours(20);  // the next day
  w.engine.advance(later);
  w.sla.evaluate(*w.engine.snapshot(later), later);
  return "";
}

std::string with_u32(std::string image, std::size_t offset, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) image[offset + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return image;
}

}  // namespace

TEST_CASE("every truncation of an image is refused", "[persist][robustness]") {
  const std::string image = fixture_image();
  INFO("image of " << image.size() << " bytes");
  REQUIRE(try_decode(image).empty());
  for (std::size_t n = 0; n < image.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    REQUIRE_FALSE(try_decode(std::string_view(image).substr(0, n)).empty());
  }
}

TEST_CASE("single-bit flips never crash the decoder", "[persist][robustness]") {
  // One flip per byte (all eight bits over the run, bit = 3 i mod 8): 8,000
  // decodes; every bit of every byte would take minutes under ASan.
  const std::string image = fixture_image();
  std::size_t refused = 0, decoded = 0;
  for (std::size_t i = 0; i < image.size(); ++i) {
    const int bit = static_cast<int>((3 * i) % 8);
    std::string flipped = image;
    flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
    INFO("byte " << i << " bit " << bit);
    (try_decode(flipped).empty() ? decoded : refused) += 1;
  }
  // Both outcomes occur: flips in counts and indexes are caught, flips in
  // plain values (a counter, a time) decode (the snapshot file's CRC, not
  // the codec, catches those).
  CHECK(refused > 0);
  CHECK(decoded > 0);
}

TEST_CASE("versions, magic and framing are checked with clear messages", "[persist][robustness]") {
  const std::string image = fixture_image();
  // Header: magic (8 bytes), version (u32 LE), cereal's endianness byte (1),
  // then the configuration part's class version (u32) and its window count.
  CHECK_THAT(try_decode(with_u32(image, 8, persist::kStateFormatVersion + 1)),
             Catch::Contains("format version 6 is newer than this ccmon reads (up to 5)"));
  CHECK_THAT(try_decode(with_u32(image, 8, 0)), Catch::Contains("format version 0"));
  std::string bad_magic = image;
  bad_magic[0] = 'X';
  CHECK_THAT(try_decode(bad_magic), Catch::Contains("not a ccmon state image"));
  CHECK_THAT(try_decode(with_u32(image, 13, 3)),
             Catch::Contains("configuration: part version 3 is not one this ccmon reads"));
  CHECK_THAT(try_decode(with_u32(image, 17, 0xFFFFFFFF)),
             Catch::Contains("configuration: a count of 4294967295 windows exceeds the"));
  CHECK_THAT(try_decode(image + '\0'), Catch::Contains("1 bytes after the end of the image"));
  CHECK_THAT(try_decode(""), Catch::Contains("not a ccmon state image"));
}

// tests/fuzz/corpus/fuzz_state_codec/crash-5e46dd1ed6bf01899eeb4816a3e1bf9df4fd92f4
// (docs/fuzzing.md, "Findings"): a version 2 image whose window totals and
// newest bucket are each in range, but whose sum, made when the totals take
// in the newest bucket (engine part before version 3), is not. It decoded,
// and its re-encoding was then refused. Refused now, as any sum out of range.
TEST_CASE("a v2 image whose totals leave the range once they take in the newest bucket") {
  std::ifstream f(
      CCMON_SOURCE_DIR
      "/tests/fuzz/corpus/fuzz_state_codec/crash-5e46dd1ed6bf01899eeb4816a3e1bf9df4fd92f4",
      std::ios::binary);
  REQUIRE(f);
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  Engine engine(EngineConfig{});
  Deduplicator dedup;
  SlaEvaluator sla({});
  REQUIRE_THROWS_WITH(decode_state(bytes, engine, dedup, sla),
                      Catch::Contains("a time or sum is out of range"));
}
