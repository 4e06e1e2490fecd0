#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "config/units.hpp"

namespace ccmon::config {
namespace {

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// Edit distance, to suggest the key a typo was meant to be.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A mark from the node, or `fallback` when the node has none (empty values).
YAML::Mark mark_of(const YAML::Node& node, const YAML::Mark& fallback) {
  return node.IsNull() ? fallback : node.Mark();
}

}  // namespace

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

void YamlReader::error(const YAML::Mark& mark, const std::string& path,
                       const std::string& message) {
  ConfigError e;
  e.file = file_;
  if (!mark.is_null()) {
    e.line = mark.line + 1;
    e.column = mark.column + 1;
  }
  e.message = path.empty() ? message : path + ": " + message;
  errors_.push_back(std::move(e));
}

std::set<std::string, std::less<>> YamlReader::mapping(const Value& v,
                                                       std::initializer_list<Field> fields) {
  std::set<std::string, std::less<>> seen;
  if (v.node.IsNull()) return seen;
  if (!v.node.IsMap()) {
    error(v, "expected a mapping of keys to values");
    return seen;
  }
  for (auto it = v.node.begin(); it != v.node.end(); ++it) {
    // A copy: the iterator hands out a temporary pair; a reference would dangle.
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      error(key.Mark(), v.path, "keys must be plain names");
      continue;
    }
    const std::string& name = key.Scalar();
    const std::string path = child_path(v.path, name);
    const Field* field = nullptr;
    for (const Field& f : fields) {
      if (f.key == name) field = &f;
    }
    if (field == nullptr) {
      std::string message = "unknown key";
      std::string_view best;
      std::size_t best_distance = 3;  // suggest only close matches
      for (const Field& f : fields) {
        const std::size_t d = distance(name, f.key);
        if (d < best_distance) {
          best_distance = d;
          best = f.key;
        }
      }
      if (!best.empty()) message += " (did you mean " + quoted(best) + "?)";
      error(key.Mark(), path, message);
      continue;
    }
    if (!seen.insert(name).second) {
      error(key.Mark(), path, "duplicate key");
      continue;
    }
    field->read(Value{it->second, path, mark_of(it->second, key.Mark())});
  }
  return seen;
}

void YamlReader::sequence(const Value& v, const std::function<void(const Value&)>& read) {
  if (v.node.IsNull()) return;
  if (!v.node.IsSequence()) {
    error(v, "expected a list");
    return;
  }
  std::size_t i = 0;
  for (const YAML::Node& element : v.node) {
    read(Value{element, v.path + "[" + std::to_string(i) + "]", mark_of(element, v.mark)});
    ++i;
  }
}

std::optional<std::string> YamlReader::scalar(const Value& v, const char* expected) {
  if (v.node.IsScalar()) return v.node.Scalar();
  error(v, v.node.IsNull() ? std::string("missing value, expected ") + expected
                           : std::string("expected ") + expected);
  return std::nullopt;
}

std::optional<std::string> YamlReader::string(const Value& v) {
  return scalar(v, "a string");
}

std::optional<bool> YamlReader::boolean(const Value& v) {
  const auto text = scalar(v, "true or false");
  if (!text) return std::nullopt;
  // YAML 1.2 booleans only: "yes"/"on" are too easy to mean something else.
  if (*text == "true" || *text == "True" || *text == "TRUE") return true;
  if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  error(v, quoted(*text) + " is not true or false");
  return std::nullopt;
}

std::optional<std::int64_t> YamlReader::integer(const Value& v, std::int64_t min,
                                                std::int64_t max) {
  const auto text = scalar(v, "an integer");
  if (!text) return std::nullopt;
  std::int64_t out = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, out);
  if (ec == std::errc::result_out_of_range ||
      (ec == std::errc{} && ptr == end && (out < min || out > max))) {
    error(v, quoted(*text) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  if (ec != std::errc{} || ptr != end) {
    error(v, quoted(*text) + " is not an integer");
    return std::nullopt;
  }
  return out;
}

std::optional<double> YamlReader::number(const Value& v) {
  const auto text = scalar(v, "a number");
  if (!text) return std::nullopt;
  double out = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  if (begin != end && *begin == '+') ++begin;  // from_chars rejects a leading '+'
  const auto [ptr, ec] = std::from_chars(begin, end, out);
  if (ec != std::errc{} || ptr != end || begin == end || !std::isfinite(out)) {
    error(v, quoted(*text) + " is not a number");
    return std::nullopt;
  }
  return out;
}

std::optional<core::Duration> YamlReader::duration(const Value& v, core::Duration min) {
  const auto text = scalar(v, "a duration");
  if (!text) return std::nullopt;
  const auto d = parse_duration(*text);
  if (!d) {
    error(v, quoted(*text) + " is not a duration (e.g. 500ms, 20s, 5m, 1h30m, 7d)");
    return std::nullopt;
  }
  if (*d < min) {
    error(v,
          min == 1 ? "must be greater than 0" : "must be at least " + std::to_string(min) + "us");
    return std::nullopt;
  }
  return d;
}

std::optional<std::uint64_t> YamlReader::size(const Value& v, std::uint64_t min) {
  const auto text = scalar(v, "a size");
  if (!text) return std::nullopt;
  const auto s = parse_size(*text);
  if (!s) {
    error(v, quoted(*text) + " is not a size (e.g. 65536, 64KiB, 8MiB)");
    return std::nullopt;
  }
  if (*s < min) {
    error(v, "must be at least " + std::to_string(min) + " bytes");
    return std::nullopt;
  }
  return s;
}

}  // namespace ccmon::config
