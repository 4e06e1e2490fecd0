#include "bench/event_file.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>

namespace ccmon::bench {

std::vector<std::string> read_lines(const std::string& path, std::size_t skip, std::size_t limit) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::vector<std::string> lines;
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (n++ < skip) continue;
    lines.push_back(std::move(line));
    if (limit != 0 && lines.size() == limit) break;
  }
  return lines;
}

namespace {

// The string value of "field":"…" in a flat JSON line (ids never hold
// escapes in generated files), or empty.
std::string_view string_field(std::string_view line, std::string_view quoted_name) {
  const std::size_t at = line.find(quoted_name);
  if (at == std::string_view::npos) return {};
  std::size_t start = line.find('"', at + quoted_name.size() + 1);  // skip the colon
  if (start == std::string_view::npos) return {};
  ++start;
  const std::size_t end = line.find('"', start);
  if (end == std::string_view::npos) return {};
  return line.substr(start, end - start);
}

}  // namespace

std::string_view shard_key(std::string_view line) {
  for (std::string_view field : {"\"contact\"", "\"agent\"", "\"id\""}) {
    std::string_view v = string_field(line, field);
    if (!v.empty()) return v;
  }
  return line;
}

std::vector<std::vector<Frame>> build_frames(const std::vector<std::string>& lines,
                                             std::size_t connections, std::size_t batch) {
  std::vector<std::vector<Frame>> out(connections);
  std::vector<Frame> open(connections);
  for (const std::string& line : lines) {
    const std::size_t c = std::hash<std::string_view>{}(shard_key(line)) % connections;
    Frame& f = open[c];
    f.text.append(line);
    f.text.push_back('\n');
    if (++f.events == batch) {
      out[c].push_back(std::move(f));
      f = Frame{};
    }
  }
  for (std::size_t c = 0; c < connections; ++c) {
    if (open[c].events != 0) out[c].push_back(std::move(open[c]));
  }
  return out;
}

}  // namespace ccmon::bench
