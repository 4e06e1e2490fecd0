// docs/kpis.md and docs/metrics.md name every KPI of the catalogue
// (core/kpi.hpp) and every other family of a snapshot
// (core/exposition/engine_families.hpp), and nothing else where they list
// them: adding, renaming or removing a KPI without its documentation fails.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "core/exposition/engine_families.hpp"
#include "core/kpi.hpp"
#include "core/kpi_parts.hpp"

namespace ccmon::core {
namespace {

std::string read_doc(const std::string& name) {
  const std::string path = std::string(CCMON_SOURCE_DIR) + "/docs/" + name;
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text of the `## <heading>` section, up to the next `## ` heading.
std::string section(const std::string& doc, const std::string& heading) {
  const std::string start = "\n## " + heading;
  const std::size_t at = doc.find(start);
  INFO("docs section: " << heading);
  REQUIRE(at != std::string::npos);
  const std::size_t end = doc.find("\n## ", at + start.size());
  return doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::set<std::string> matches(const std::string& text, const std::regex& re, int group = 1) {
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.insert((*it)[group].str());
  }
  return out;
}

std::set<std::string> catalogue_keys() {
  std::set<std::string> keys;
  for (const auto& d : kKpis) keys.emplace(d.info.key);
  for (const auto& d : kTeamKpis) keys.emplace(d.info.key);
  for (const auto& d : kLiveKpis) keys.emplace(d.info.key);
  return keys;
}

// Every family a snapshot renders, by key.
std::set<std::string> snapshot_family_keys() {
  std::set<std::string> keys = catalogue_keys();
  for (const KpiInfo* f : {&engine_families::kDeflected, &engine_families::kServiceLevelThreshold,
                           &engine_families::kAgents, &engine_families::kWaitSeconds}) {
    keys.emplace(f->key);
  }
  for (const auto& c : engine_families::kSeriesCounters) keys.emplace(c.info.key);
  for (const auto& s : engine_families::kEngineStats) keys.emplace(s.info.key);
  keys.emplace(engine_families::kByteBoundEvictions.key);
  for (const auto& p : kKpiParts) keys.emplace(p.info.key);
  for (const auto& p : kTeamKpiParts) keys.emplace(p.info.key);
  return keys;
}

std::string_view unit_name(Unit u) {
  switch (u) {
    case Unit::kCount:
      return "count";
    case Unit::kRatio:
      return "ratio";
    case Unit::kSeconds:
      return "seconds";
    case Unit::kScore:
      return "score";
    case Unit::kNps:
      return "points";
    case Unit::kPerHour:
      return "per hour";
  }
  return "?";
}

TEST_CASE("docs/kpis.md: the catalogue table lists every KPI key with its unit, and no other") {
  const std::string table = section(read_doc("kpis.md"), "The catalogue");
  // | `key` | formula | unit |
  const std::regex row(R"(\n\| `([a-z0-9_]+)` \|[^\n]*\| ([a-z ]+) \|)");
  std::map<std::string, std::string> documented;
  for (auto it = std::sregex_iterator(table.begin(), table.end(), row);
       it != std::sregex_iterator(); ++it) {
    CHECK(documented.emplace((*it)[1].str(), (*it)[2].str()).second);
  }
  std::set<std::string> keys;
  for (const auto& [key, unit] : documented) keys.insert(key);
  CHECK(keys == catalogue_keys());

  auto check_unit = [&](const KpiInfo& i) {
    INFO(i.key);
    auto it = documented.find(std::string(i.key));
    if (it != documented.end()) CHECK(it->second == unit_name(i.unit));
  };
  for (const auto& d : kKpis) check_unit(d.info);
  for (const auto& d : kTeamKpis) check_unit(d.info);
  for (const auto& d : kLiveKpis) check_unit(d.info);
}

TEST_CASE("docs/kpis.md names no KPI-like key that does not exist") {
  // Backticked names shaped like metric keys (`..._ratio`, `..._seconds`,
  // `..._total`) anywhere in the page must be families of a snapshot.
  const std::set<std::string> named =
      matches(read_doc("kpis.md"), std::regex(R"(`([a-z0-9_]+_(ratio|seconds|total))`)"));
  const std::set<std::string> known = snapshot_family_keys();
  for (const std::string& key : named) {
    INFO(key);
    CHECK(known.count(key) == 1);
  }
}

TEST_CASE("docs/metrics.md lists exactly the families of a snapshot") {
  const std::string doc = read_doc("metrics.md");
  std::string listed;
  for (const char* heading : {"Windowed KPIs", "Agent KPIs", "Aggregating across instances",
                              "Live state", "Since start", "Engine state"}) {
    listed += section(doc, heading);
  }
  std::set<std::string> documented;
  for (std::string name : matches(listed, std::regex(R"(\bccmon_([a-z0-9_]+))"))) {
    // A histogram's series: ccmon_wait_seconds_bucket is ccmon_wait_seconds.
    for (const std::string suffix : {"_bucket", "_count", "_sum"}) {
      const std::string base = name.substr(0, name.size() - std::min(name.size(), suffix.size()));
      if (name.size() > suffix.size() && name.ends_with(suffix) &&
          base == engine_families::kWaitSeconds.key) {
        name = base;
      }
    }
    documented.insert(name);
  }
  const std::set<std::string> rendered = snapshot_family_keys();
  for (const std::string& key : rendered) {
    INFO("rendered but not in docs/metrics.md: ccmon_" << key);
    CHECK(documented.count(key) == 1);
  }
  for (const std::string& key : documented) {
    INFO("in docs/metrics.md but not rendered: ccmon_" << key);
    CHECK(rendered.count(key) == 1);
  }
}

}  // namespace
}  // namespace ccmon::core
