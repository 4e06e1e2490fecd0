// A small reader of the Prometheus text exposition format 0.0.4, written for
// the tests from the format's description
// (https://prometheus.io/docs/instrumenting/exposition_formats/), sharing no
// code with the writer it checks (core/exposition/snapshot_text.cpp). It
// parses every line and reports what breaks the format's rules: a sample
// before its family's HELP and TYPE, a family split in two, a sample of
// another family, a bad label block or number, the same series twice.
#pragma once

#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ccmon::core::testing {

struct ReadFamily {
  std::string name;
  std::string help;  // unescaped
  std::string type;  // gauge, counter, histogram, ...
  std::size_t samples = 0;
};

// name{labels} -> value. Labels sorted by name, values unescaped.
using SeriesKey = std::pair<std::string, std::map<std::string, std::string>>;

struct ReadSample {
  std::string text;  // the value as written
  double value = 0;
};

struct Exposition {
  std::vector<ReadFamily> families;  // in order
  std::map<SeriesKey, ReadSample> samples;
  std::vector<std::string> errors;  // "line 12: ..."; empty when well formed
};

namespace exposition_reader_detail {

inline bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

inline bool valid_name(const std::string& s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!name_char(s[i], i == 0)) return false;
  }
  return true;
}

// "1.5", "-3", "+Inf", "-Inf", "NaN" (the format's spellings).
inline bool parse_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  // strtod also takes "inf", "nan(...)", hex: only the format's forms pass.
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')) {
      return s == "+Inf" || s == "-Inf" || s == "NaN";
    }
  }
  return true;
}

}  // namespace exposition_reader_detail

inline Exposition read_exposition(const std::string& text) {
  using namespace exposition_reader_detail;
  Exposition out;
  std::set<std::string> closed;  // families already left
  ReadFamily* current = nullptr;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  auto fail = [&](const std::string& why) {
    out.errors.push_back("line " + std::to_string(line_no) + ": " + why);
  };
  if (!text.empty() && text.back() != '\n') {
    out.errors.push_back("the text does not end with a newline");
  }
  while (pos < text.size()) {
    const std::size_t eol = text.find('\n', pos);
    const std::string line =
        text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    ++line_no;
    if (line.empty()) {
      fail("empty line");
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) {
      const std::string rest = line.substr(7);
      const std::size_t sp = rest.find(' ');
      const std::string name = rest.substr(0, sp);
      if (!valid_name(name)) fail("bad family name '" + name + "'");
      if (closed.count(name) != 0 || (current != nullptr && current->name == name)) {
        fail("family " + name + " appears twice");
      }
      if (current != nullptr) closed.insert(current->name);
      std::string help;
      const std::string raw = sp == std::string::npos ? "" : rest.substr(sp + 1);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
          help += raw[i];
        } else if (i + 1 < raw.size() && raw[i + 1] == '\\') {
          help += '\\', ++i;
        } else if (i + 1 < raw.size() && raw[i + 1] == 'n') {
          help += '\n', ++i;
        } else {
          fail("bad escape in HELP");
        }
      }
      out.families.push_back({name, help, "", 0});
      current = &out.families.back();
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string rest = line.substr(7);
      const std::size_t sp = rest.find(' ');
      if (current == nullptr || rest.substr(0, sp) != current->name) {
        fail("TYPE without its HELP");
        continue;
      }
      if (!current->type.empty() || current->samples != 0) fail("TYPE twice or after samples");
      current->type = sp == std::string::npos ? "" : rest.substr(sp + 1);
      static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                                   "untyped"};
      if (kTypes.count(current->type) == 0) fail("unknown type '" + current->type + "'");
      continue;
    }
    if (line[0] == '#') {
      fail("unexpected comment");
      continue;
    }
    // name{a="x",b="y"} value
    std::size_t i = 0;
    while (i < line.size() && name_char(line[i], i == 0)) ++i;
    const std::string name = line.substr(0, i);
    std::map<std::string, std::string> labels;
    bool ok = !name.empty();
    if (ok && i < line.size() && line[i] == '{') {
      ++i;
      while (ok && i < line.size() && line[i] != '}') {
        std::size_t j = i;
        while (j < line.size() && name_char(line[j], j == i)) ++j;
        const std::string label = line.substr(i, j - i);
        if (label.empty() || j + 1 >= line.size() || line[j] != '=' || line[j + 1] != '"') {
          ok = false;
          break;
        }
        std::string value;
        j += 2;
        while (j < line.size() && line[j] != '"') {
          if (line[j] == '\\' && j + 1 < line.size()) {
            const char e = line[j + 1];
            if (e == '\\' || e == '"') {
              value += e;
            } else if (e == 'n') {
              value += '\n';
            } else {
              ok = false;
            }
            j += 2;
          } else if (line[j] == '\\') {
            ok = false;
            ++j;
          } else {
            value += line[j++];
          }
        }
        if (j >= line.size() || !labels.emplace(label, value).second) ok = false;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size() || line[i] != '}') ok = false;
      ++i;
    }
    if (!ok || i >= line.size() || line[i] != ' ') {
      fail("malformed sample '" + line + "'");
      continue;
    }
    ReadSample sample;
    sample.text = line.substr(i + 1);
    if (!parse_number(sample.text, sample.value)) fail("bad value '" + sample.text + "'");
    if (current == nullptr || current->type.empty()) {
      fail("sample before HELP and TYPE");
      continue;
    }
    std::string family = name;
    if (current->type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s = suffix;
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
          family = name.substr(0, name.size() - s.size());
        }
      }
    }
    if (family != current->name) fail("sample " + name + " inside family " + current->name);
    ++current->samples;
    if (!out.samples.emplace(SeriesKey{name, labels}, sample).second) {
      fail("series repeated: '" + line + "'");
    }
  }
  return out;
}

}  // namespace ccmon::core::testing
