// Reads the `adapters` section into AdaptersConfig (internal to the loader).
#pragma once

#include "config/adapters_config.hpp"
#include "config/yaml_reader.hpp"

namespace ccmon::config {

// Every problem goes to `r` with its key path and place; valid values are
// stored, invalid ones leave their default.
void read_adapters(YamlReader& r, const Value& section, AdaptersConfig& out);

}  // namespace ccmon::config
