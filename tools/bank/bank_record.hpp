// One call record of the "Anonymous Bank" 1999 data (Technion, Ilan Guedj and
// Avi Mandelbaum): a tab-separated line under a header naming the columns.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccmon::bank {

enum class Outcome { kAgent, kHang, kPhantom };

struct BankRecord {
  std::string vru_line;   // "AA0101": VRU and line
  std::string call_id;    // with vru_line and date identifies the call
  std::string date_text;  // "990315" as written, for ids
  std::chrono::year_month_day date;
  std::int64_t priority = 0;  // 0/1 regular, 2 high
  std::string type;           // service type: PS, PE, IN, NE, NW, TT (a few AA)
  // Clock times as seconds since midnight of `date`; all may belong to the next
  // day when the call crossed midnight (see bank_mapping.hpp).
  int vru_entry = 0;
  int vru_exit = 0;
  int q_start = 0;  // 0 (0:00:00) means the call never queued
  int q_exit = 0;
  int ser_start = 0;
  int ser_exit = 0;
  Outcome outcome = Outcome::kHang;
  std::string server;  // agent name, NO_SERVER when none

  bool queued() const { return q_start != 0; }
};

// Finds the columns by name in the header line, then parses records. Columns
// are looked up by name so that reordered or extra columns do not matter.
class RecordParser {
 public:
  // False, with `error` set, when a needed column is missing.
  bool read_header(std::string_view line, std::string& error);
  // nullopt, with `error` naming the field, for a malformed record.
  std::optional<BankRecord> parse(std::string_view line, std::string& error) const;

 private:
  enum Column : std::size_t {
    kVruLine,
    kCallId,
    kPriority,
    kType,
    kDate,
    kVruEntry,
    kVruExit,
    kQStart,
    kQExit,
    kOutcome,
    kSerStart,
    kSerExit,
    kServer,
    kColumnCount
  };
  std::array<std::size_t, kColumnCount> index_{};
  std::size_t field_count_ = 0;
};

// "990315" -> 1999-03-15 (years 70..99 are 19xx, 00..69 are 20xx).
std::optional<std::chrono::year_month_day> parse_record_date(std::string_view s);

}  // namespace ccmon::bank
