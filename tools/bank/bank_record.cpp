#include "tools/bank/bank_record.hpp"

#include <charconv>
#include <vector>

#include "tools/bank/civil_time.hpp"

namespace ccmon::bank {
namespace {

constexpr std::array<std::string_view, 13> kColumnNames = {
    "vru+line", "call_id", "priority", "type",      "date",     "vru_entry", "vru_exit",
    "q_start",  "q_exit",  "outcome",  "ser_start", "ser_exit", "server"};

std::vector<std::string_view> split_tabs(std::string_view line) {
  // Tolerate CRLF files.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::chrono::year_month_day> parse_record_date(std::string_view s) {
  if (s.size() != 6) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0) return std::nullopt;
  const int yy = value / 10000;
  const std::chrono::year_month_day date{
      std::chrono::year(yy < 70 ? 2000 + yy : 1900 + yy),
      std::chrono::month(static_cast<unsigned>(value / 100 % 100)),
      std::chrono::day(static_cast<unsigned>(value % 100))};
  if (!date.ok()) return std::nullopt;
  return date;
}

bool RecordParser::read_header(std::string_view line, std::string& error) {
  const auto names = split_tabs(line);
  for (std::size_t c = 0; c < kColumnNames.size(); ++c) {
    bool found = false;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (trim(names[i]) == kColumnNames[c]) {
        index_[c] = i;
        found = true;
        break;
      }
    }
    if (!found) {
      error = "header has no column '" + std::string(kColumnNames[c]) + "'";
      return false;
    }
  }
  field_count_ = names.size();
  return true;
}

std::optional<BankRecord> RecordParser::parse(std::string_view line, std::string& error) const {
  const auto fields = split_tabs(line);
  if (fields.size() != field_count_) {
    error = "expected " + std::to_string(field_count_) + " tab-separated fields, got " +
            std::to_string(fields.size());
    return std::nullopt;
  }
  auto field = [&](Column c) { return trim(fields[index_[c]]); };

  BankRecord r;
  r.vru_line = field(kVruLine);
  r.call_id = field(kCallId);
  if (r.vru_line.empty() || r.call_id.empty()) {
    error = "empty vru+line or call_id";
    return std::nullopt;
  }
  r.date_text = field(kDate);
  auto date = parse_record_date(r.date_text);
  if (!date) {
    error = "bad date '" + r.date_text + "'";
    return std::nullopt;
  }
  r.date = *date;

  const auto priority = field(kPriority);
  auto [end, ec] = std::from_chars(priority.data(), priority.data() + priority.size(), r.priority);
  if (ec != std::errc() || end != priority.data() + priority.size()) {
    error = "bad priority '" + std::string(priority) + "'";
    return std::nullopt;
  }
  r.type = field(kType);
  if (r.type.empty()) {
    error = "empty type";
    return std::nullopt;
  }

  const std::array<std::pair<Column, int*>, 6> clocks = {{{kVruEntry, &r.vru_entry},
                                                          {kVruExit, &r.vru_exit},
                                                          {kQStart, &r.q_start},
                                                          {kQExit, &r.q_exit},
                                                          {kSerStart, &r.ser_start},
                                                          {kSerExit, &r.ser_exit}}};
  for (const auto& [column, out] : clocks) {
    auto seconds = parse_clock(field(column));
    if (!seconds) {
      error = "bad " + std::string(kColumnNames[column]) + " '" + std::string(field(column)) + "'";
      return std::nullopt;
    }
    *out = *seconds;
  }

  const auto outcome = field(kOutcome);
  if (outcome == "AGENT") {
    r.outcome = Outcome::kAgent;
  } else if (outcome == "HANG") {
    r.outcome = Outcome::kHang;
  } else if (outcome == "PHANTOM") {
    r.outcome = Outcome::kPhantom;
  } else {
    error = "bad outcome '" + std::string(outcome) + "'";
    return std::nullopt;
  }
  r.server = field(kServer);
  if (r.server.empty()) r.server = "NO_SERVER";
  return r;
}

}  // namespace ccmon::bank
