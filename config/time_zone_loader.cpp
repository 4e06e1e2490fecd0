// load_time_zone: IANA zone name -> TZif file under $TZDIR or /usr/share/zoneinfo.
#include <cstdlib>
#include <fstream>

#include "config/config.hpp"
#include "config/tzif.hpp"

namespace ccmon::config {
namespace {

// Zone files are a few KiB; anything much larger is not one.
constexpr std::streamsize kMaxTzifBytes = 1 << 20;

bool valid_zone_name(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-' || c == '+' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<core::TimeZone> load_time_zone(const std::string& name, std::string& error) {
  // Built in, so the default configuration works on hosts without tzdata.
  if (name == "UTC" || name == "Etc/UTC") {
    core::TimeZone utc;
    utc.name = name;
    return utc;
  }
  if (!valid_zone_name(name)) {
    error = "\"" + name + "\" is not a valid time zone name";
    return std::nullopt;
  }
  const char* tzdir = std::getenv("TZDIR");
  const std::string dir = tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo";
  const std::string path = dir + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "unknown time zone \"" + name + "\" (no file " + path + ")";
    return std::nullopt;
  }
  std::string data;
  data.resize(static_cast<std::size_t>(kMaxTzifBytes) + 1);
  in.read(data.data(), kMaxTzifBytes + 1);
  const std::streamsize got = in.gcount();
  if (got > kMaxTzifBytes) {
    error = "time zone \"" + name + "\": " + path + " is too large for a TZif file";
    return std::nullopt;
  }
  data.resize(static_cast<std::size_t>(got));
  return parse_tzif(data, name, error);
}

}  // namespace ccmon::config
