// Reads `ingest.kafka` into KafkaConfig (internal to the loader).
#pragma once

#include "config/kafka_config.hpp"
#include "config/yaml_reader.hpp"

namespace ccmon::config {

// Every problem goes to `r` with its key path and place; valid values are
// stored, invalid ones leave their default.
void read_kafka(YamlReader& r, const Value& section, KafkaConfig& out);

}  // namespace ccmon::config
