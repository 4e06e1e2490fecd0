// Typed reads from a yaml-cpp tree that report problems instead of throwing:
// every error names the key path and points at the offending node, and the
// reader keeps going so one run lists every problem in the file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/time.hpp"

namespace ccmon::config {

// A node with the key path leading to it ("kpis.windows[2]") and the place
// errors about it point at: the node itself, or its key when the value is
// empty (yaml-cpp marks an empty value at the start of the next line).
struct Value {
  YAML::Node node;
  std::string path;
  YAML::Mark mark;
};

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  using FieldReader = std::function<void(const Value&)>;
  struct Field {
    std::string_view key;
    FieldReader read;
  };

  // Reads a mapping: calls the reader of each known key present, reports
  // unknown and repeated keys. An empty value counts as an empty mapping.
  // Returns the keys present.
  std::set<std::string, std::less<>> mapping(const Value& v, std::initializer_list<Field> fields);
  // Calls `read` for each element; an empty value counts as an empty sequence.
  void sequence(const Value& v, const std::function<void(const Value&)>& read);

  std::optional<std::string> string(const Value& v);
  std::optional<bool> boolean(const Value& v);
  std::optional<std::int64_t> integer(const Value& v, std::int64_t min, std::int64_t max);
  std::optional<double> number(const Value& v);
  // Durations ("1h30m") and sizes ("8MiB"), see units.hpp, at least `min`.
  std::optional<core::Duration> duration(const Value& v, core::Duration min);
  std::optional<std::uint64_t> size(const Value& v, std::uint64_t min);

  void error(const YAML::Mark& mark, const std::string& path, const std::string& message);
  void error(const Value& v, const std::string& message) { error(v.mark, v.path, message); }

  const std::string& file() const { return file_; }
  std::vector<ConfigError>& errors() { return errors_; }

 private:
  // The scalar text of `v`, or nullopt (error reported) for a missing value,
  // a mapping or a sequence.
  std::optional<std::string> scalar(const Value& v, const char* expected);

  std::string file_;
  std::vector<ConfigError> errors_;
};

// Writes a scalar for messages: "7x" quoted, as the user wrote it.
std::string quoted(std::string_view text);

}  // namespace ccmon::config
