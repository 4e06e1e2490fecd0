#include "config/tzif.hpp"

#include <cstdint>
#include <limits>
#include <vector>

#include "config/posix_tz.hpp"

namespace ccmon::config {
namespace {

constexpr std::size_t kHeaderSize = 44;

struct Header {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

std::uint64_t read_be(std::string_view data, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(data[at + i]);
  return v;
}

bool read_header(std::string_view data, std::size_t at, Header& h) {
  if (data.size() < at + kHeaderSize || data.substr(at, 4) != "TZif") return false;
  h.version = data[at + 4];
  std::uint32_t* counts[] = {&h.isutcnt, &h.isstdcnt, &h.leapcnt,
                             &h.timecnt, &h.typecnt,  &h.charcnt};
  for (std::size_t i = 0; i < 6; ++i) {
    *counts[i] = static_cast<std::uint32_t>(read_be(data, at + 20 + 4 * i, 4));
  }
  return true;
}

// Size of the data block after a header whose times are `time_width` bytes.
std::uint64_t block_size(const Header& h, std::size_t time_width) {
  return std::uint64_t{h.timecnt} * time_width + h.timecnt + std::uint64_t{h.typecnt} * 6 +
         h.charcnt + std::uint64_t{h.leapcnt} * (time_width + 4) + h.isstdcnt + h.isutcnt;
}

int utc_year_of(core::Timestamp t) {
  std::int64_t days = t / core::kMicrosPerSecond / 86400;
  if (t < 0 && (t / core::kMicrosPerSecond) % 86400 != 0) --days;
  // Inverse of days_from_civil, good enough to pick a year to start from.
  int year = 1970 + static_cast<int>(days / 366);
  while (days_from_civil(year + 1, 1, 1) <= days) ++year;
  while (days_from_civil(year, 1, 1) > days) --year;
  return year;
}

}  // namespace

std::optional<core::TimeZone> parse_tzif(std::string_view data, const std::string& name,
                                         std::string& error) {
  auto fail = [&](const std::string& what) {
    error = "time zone \"" + name + "\": " + what;
    return std::nullopt;
  };
  Header h;
  if (!read_header(data, 0, h)) return fail("not a TZif file");
  std::size_t at = kHeaderSize;
  std::size_t time_width = 4;
  if (h.version >= '2') {
    // Skip the 32-bit section: the 64-bit one that follows covers all times.
    const std::uint64_t skip = block_size(h, 4);
    if (skip > data.size() - at) return fail("truncated TZif data");
    at += static_cast<std::size_t>(skip);
    if (!read_header(data, at, h)) return fail("missing TZif v2 header");
    at += kHeaderSize;
    time_width = 8;
  }
  if (h.leapcnt != 0) return fail("zones with leap seconds (\"right/\") are not supported");
  if (h.typecnt == 0) return fail("TZif data has no local time types");
  if (block_size(h, time_width) > data.size() - at) return fail("truncated TZif data");

  const std::size_t times_at = at;
  const std::size_t indices_at = times_at + std::size_t{h.timecnt} * time_width;
  const std::size_t types_at = indices_at + h.timecnt;
  std::vector<std::int32_t> offsets(h.typecnt);
  for (std::size_t i = 0; i < h.typecnt; ++i) {
    offsets[i] =
        static_cast<std::int32_t>(static_cast<std::uint32_t>(read_be(data, types_at + 6 * i, 4)));
    // RFC 8536 section 3.2: utoff in -89999..93599 (more than -25 h, less
    // than 26 h); core/tz finds local day starts only within that range.
    if (offsets[i] < -89999 || offsets[i] > 93599) {
      return fail("local time type with a UTC offset beyond -25 h..+26 h");
    }
  }

  core::TimeZone tz;
  tz.name = name;
  tz.initial_offset_s = offsets[0];  // RFC 8536: type 0 applies before the first transition
  constexpr std::int64_t kMaxSeconds =
      std::numeric_limits<core::Timestamp>::max() / core::kMicrosPerSecond;
  for (std::size_t i = 0; i < h.timecnt; ++i) {
    const std::uint64_t raw = read_be(data, times_at + i * time_width, time_width);
    const std::int64_t seconds =
        time_width == 4 ? std::int64_t{static_cast<std::int32_t>(static_cast<std::uint32_t>(raw))}
                        : static_cast<std::int64_t>(raw);
    const auto type = static_cast<unsigned char>(data[indices_at + i]);
    if (type >= h.typecnt) return fail("transition refers to a missing local time type");
    if (seconds < -kMaxSeconds) {  // "big bang" sentinels: before any representable time
      tz.initial_offset_s = offsets[type];
      continue;
    }
    if (seconds > kMaxSeconds) break;
    const core::Timestamp t = seconds * core::kMicrosPerSecond;
    if (!tz.transitions.empty() && t <= tz.transitions.back().at) {
      return fail("TZif transitions are not in ascending order");
    }
    const std::int32_t previous =
        tz.transitions.empty() ? tz.initial_offset_s : tz.transitions.back().utc_offset_s;
    // Changes of abbreviation or DST flag alone do not move the offset.
    if (offsets[type] != previous) tz.transitions.push_back({t, offsets[type]});
  }

  if (time_width == 8) {
    // Footer: "\n<POSIX TZ>\n" describing times after the last transition.
    std::size_t footer_at = at + static_cast<std::size_t>(block_size(h, time_width));
    if (footer_at < data.size() && data[footer_at] == '\n') {
      const std::size_t end = data.find('\n', footer_at + 1);
      if (end == std::string_view::npos) return fail("unterminated TZif footer");
      const std::string_view rule = data.substr(footer_at + 1, end - footer_at - 1);
      if (!rule.empty()) {
        const auto posix = parse_posix_tz(rule, error);
        if (!posix) return fail(error);
        const core::Timestamp last = tz.transitions.empty()
                                         ? std::numeric_limits<core::Timestamp>::min()
                                         : tz.transitions.back().at;
        const int first_year = tz.transitions.empty() ? 1970 : utc_year_of(last);
        if (!posix->dst && tz.transitions.empty()) tz.initial_offset_s = posix->std_utc_offset_s;
        for (const auto& t : expand_posix_tz(*posix, first_year, kLastExpandedYear)) {
          const std::int32_t previous =
              tz.transitions.empty() ? tz.initial_offset_s : tz.transitions.back().utc_offset_s;
          if (t.at > last && t.utc_offset_s != previous) tz.transitions.push_back(t);
        }
      }
    }
  }
  return tz;
}

}  // namespace ccmon::config
