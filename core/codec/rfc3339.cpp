// RFC 3339 date-time parsing without the C library (no locale, no time zone
// database, no allocation): the ingest hot path calls it for every event.
#include "core/codec/civil_time.hpp"
#include "core/codec/codec.hpp"

namespace ccmon::core {
namespace {

using codec_detail::days_from_civil;
using codec_detail::days_in_month;

// Reads exactly `n` ASCII digits at `p`; false if any is not a digit.
bool digits(const char* p, int n, int& out) {
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = p[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

bool parse_rfc3339(std::string_view text, Timestamp& out) {
  // Fixed part: "YYYY-MM-DDTHH:MM:SS" is 19 bytes, the shortest offset "Z" 1.
  const std::size_t n = text.size();
  if (n < 20) return false;
  const char* s = text.data();
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, 4, year) || s[4] != '-' || !digits(s + 5, 2, month) || s[7] != '-' ||
      !digits(s + 8, 2, day)) {
    return false;
  }
  // RFC 3339 allows 't' and, by its note on ISO 8601, a space.
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!digits(s + 11, 2, hour) || s[13] != ':' || !digits(s + 14, 2, minute) || s[16] != ':' ||
      !digits(s + 17, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;

  std::size_t i = 19;
  std::int64_t micros = 0;
  if (s[i] == '.') {
    ++i;
    const std::size_t first = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      // Digits past the microsecond are dropped (truncation, not rounding).
      if (i - first < 6) micros = micros * 10 + (s[i] - '0');
      ++i;
    }
    const std::size_t count = i - first;
    if (count == 0 || count > 9) return false;  // up to nanoseconds
    for (std::size_t k = count; k < 6; ++k) micros *= 10;
  }
  if (i >= n) return false;  // an offset is mandatory

  std::int64_t offset_s = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    if (n - i != 6) return false;
    int oh = 0, om = 0;
    if (!digits(s + i + 1, 2, oh) || s[i + 3] != ':' || !digits(s + i + 4, 2, om)) return false;
    if (oh > 23 || om > 59) return false;
    offset_s = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return false;
  }
  if (i != n) return false;

  // Local wall time minus its offset is UTC.
  const std::int64_t local_s =
      days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  // Second 60 is a leap second, which UTC inserts only as 23:59:60Z (ITU-R
  // TF.460-6 §2.2; RFC 3339 §5.7 ties it to the offset): elsewhere it is a
  // mistake. Unix time has none, so it folds into the next minute as POSIX
  // normalisation does.
  const std::int64_t second_before = local_s - 1 - offset_s;  // 23:59:59Z for a leap second
  if (second == 60 && ((second_before % 86400) + 86400) % 86400 != 86399) return false;
  out = (local_s - offset_s) * kMicrosPerSecond + micros;
  return true;
}

}  // namespace ccmon::core
