// libFuzzer target: the bytes of a zone file -> config::parse_tzif (RFC 8536
// TZif with its POSIX TZ footer, config/tzif.cpp, config/posix_tz.cpp), the
// file `kpis.time_zone` names; then the parsed table is used the way the
// engine uses it for the `today` window (core/tz/time_zone.hpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/tzif.hpp"
#include "core/tz/time_zone.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto tz = ccmon::config::parse_tzif(bytes, "Fuzz/Zone", error);
  if (!tz) {
    CCMON_FUZZ_CHECK(!error.empty());
    return 0;
  }
  for (std::size_t i = 1; i < tz->transitions.size(); ++i) {
    CCMON_FUZZ_CHECK(tz->transitions[i - 1].at <= tz->transitions[i].at);  // sorted by `at`
  }
  // 1970, 2026-11-22T09:15:00Z and 2100: before, among and past the table.
  for (const ccmon::core::Timestamp now :
       {ccmon::core::Timestamp{0}, ccmon::core::seconds(1'795'338'900),
        ccmon::core::seconds(4'102'444'800)}) {
    (void)tz->offset_at(now);
    for (const int hour : {0, 6, 23}) {
      CCMON_FUZZ_CHECK(ccmon::core::local_day_start(*tz, hour, now) <= now);
    }
  }
  return 0;
}
