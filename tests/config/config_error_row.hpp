// A configuration with exactly one mistake, where the error must point and
// what it must say: the row shape of the config error tests. Columns are
// counted by hand from the YAML text of each row (1-based, as editors show
// them).
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "config/config.hpp"

namespace ccmon::config::test {

struct Row {
  const char* yaml;
  int line, column;
  const char* message;  // a part of the message, key path included
};

// Loading `row.yaml` as "test.yml" fails with that one error.
inline void check_single_error(const Row& row) {
  INFO("YAML:\n" << row.yaml);
  const auto result = load_config_string(row.yaml, "test.yml");
  CHECK_FALSE(result.config);
  REQUIRE(result.errors.size() == 1);
  const ConfigError& e = result.errors[0];
  INFO(to_string(e));
  CHECK(e.file == "test.yml");
  CHECK(e.line == row.line);
  CHECK(e.column == row.column);
  CHECK(e.message.find(row.message) != std::string::npos);
}

}  // namespace ccmon::config::test
