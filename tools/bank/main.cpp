// ccmon-bank2events: "Anonymous Bank" 1999 call records -> ccmon NDJSON events
// on stdout, sorted by event time. See docs/replay.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/bank/bank_mapping.hpp"
#include "tools/bank/bank_record.hpp"
#include "tools/bank/civil_time.hpp"
#include "tools/bank/line_reader.hpp"

namespace {

using namespace ccmon::bank;

constexpr std::string_view kHelp = R"(Usage: ccmon-bank2events [OPTIONS] FILE...

Converts the "Anonymous Bank" call-center records (1999, tab-separated with a
header, .txt or .txt.gz; "-" reads standard input) into ccmon events
(docs/events.md), one JSON object a line on standard output, sorted by event
time. Each call becomes contact.created, contact.queued, contact.answered /
contact.abandoned, contact.ended, contact.wrapped (or contact.self_served for
a call that ended in the VRU); PHANTOM records are skipped. The queue is the
record's service type, the channel "voice". docs/replay.md has every rule.

Options:
  --day YYYY-MM-DD     keep only the records dated that day
  --month YYYY-MM      keep only the records dated in that month
  --tz-offset OFFSET   UTC offset of the bank's clock times: +HH:MM, -HH:MM or Z
                       (default +02:00, Israel standard time; 1999 summer time
                       is not applied), or israel-1999 for +03:00 from
                       1999-04-02 02:00 to 1999-09-03 02:00 local
  --until HH:MM:SS     drop events later than this local time on the last
                       selected day (the --day, the last day of the --month,
                       else the latest record date), e.g. 23:59:59 so that a
                       replay does not move the event clock into the next day
  --help               show this help

Data: "Anonymous Bank" call-center data, collected at the Technion - Israel
Institute of Technology by Ilan Guedj and Avi Mandelbaum; free for use with
acknowledgement of the source.
)";

struct Options {
  std::optional<std::chrono::year_month_day> day;
  std::optional<std::chrono::year_month> month;
  OffsetRule offset;
  std::optional<int> until;
  std::vector<std::string> files;
};

int usage_error(const std::string& message) {
  std::cerr << "ccmon-bank2events: " << message << "\n(try --help)\n";
  return 2;
}

struct Output {
  ccmon::core::Timestamp time;
  std::string line;
};

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return 0;
    } else if (a == "--day") {
      auto v = value();
      if (!v || !(opt.day = parse_iso_date(*v))) return usage_error("--day wants YYYY-MM-DD");
    } else if (a == "--month") {
      auto v = value();
      if (!v || !(opt.month = parse_iso_month(*v))) return usage_error("--month wants YYYY-MM");
    } else if (a == "--tz-offset") {
      auto v = value();
      std::optional<OffsetRule> rule;
      if (!v || !(rule = parse_offset_rule(*v))) {
        return usage_error("--tz-offset wants +HH:MM, -HH:MM, Z or israel-1999");
      }
      opt.offset = *rule;
    } else if (a == "--until") {
      auto v = value();
      if (!v || !(opt.until = parse_clock(*v))) return usage_error("--until wants HH:MM:SS");
    } else if (a.size() > 1 && a.front() == '-') {
      return usage_error("unknown option " + std::string(a));
    } else {
      opt.files.emplace_back(a);
    }
  }
  if (opt.day && opt.month) return usage_error("--day and --month exclude each other");
  if (opt.files.empty()) return usage_error("no input FILE (use - for standard input)");

  auto selected = [&](const std::chrono::year_month_day& d) {
    if (opt.day) return d == *opt.day;
    if (opt.month) return d.year() == opt.month->year() && d.month() == opt.month->month();
    return true;
  };

  std::vector<std::pair<BankRecord, PlannedEvent>> planned;
  std::optional<std::chrono::year_month_day> last_date;
  long records = 0, phantoms = 0, malformed = 0;
  for (const auto& path : opt.files) {
    LineReader reader;
    std::string error;
    if (!reader.open(path, error)) {
      std::cerr << "ccmon-bank2events: " << error << "\n";
      return 1;
    }
    std::string line;
    RecordParser parser;
    if (!reader.next(line) || !parser.read_header(line, error)) {
      std::cerr << "ccmon-bank2events: " << path << ": "
                << (error.empty() ? "no header line" : error) << "\n";
      return 1;
    }
    for (long line_no = 2; reader.next(line); ++line_no) {
      if (line.empty()) continue;
      auto record = parser.parse(line, error);
      if (!record) {
        // Bad lines are reported and skipped: one bad record must not lose a day.
        std::cerr << path << ":" << line_no << ": skipped: " << error << "\n";
        ++malformed;
        continue;
      }
      if (!selected(record->date)) continue;
      ++records;
      if (!last_date || record->date > *last_date) last_date = record->date;
      const auto events = plan_events(*record);
      if (events.empty()) ++phantoms;
      for (const auto& e : events) planned.emplace_back(*record, e);
    }
    if (!reader.error().empty()) {
      std::cerr << "ccmon-bank2events: " << path << ": " << reader.error() << "\n";
      return 1;
    }
  }

  std::optional<LocalSeconds> cutoff;
  if (opt.until) {
    auto last = opt.day ? opt.day : last_date;
    if (opt.month) {
      last = std::chrono::year_month_day{std::chrono::year_month_day_last{
          opt.month->year(), std::chrono::month_day_last{opt.month->month()}}};
    }
    if (last) cutoff = local_midnight(*last) + *opt.until;
  }

  std::vector<Output> out;
  out.reserve(planned.size());
  for (const auto& [record, event] : planned) {
    if (cutoff && event.at > *cutoff) continue;
    const std::int32_t offset = opt.offset.offset_at(event.at);
    out.push_back({to_utc(event.at, offset), event_json(record, event, offset)});
  }
  // Stable: events at the same instant keep record order, and a call's own
  // events keep their lifecycle order.
  std::stable_sort(out.begin(), out.end(),
                   [](const Output& a, const Output& b) { return a.time < b.time; });
  std::string buffer;
  for (const auto& o : out) {
    buffer += o.line;
    buffer += '\n';
    if (buffer.size() > (1 << 16)) {
      std::fwrite(buffer.data(), 1, buffer.size(), stdout);
      buffer.clear();
    }
  }
  std::fwrite(buffer.data(), 1, buffer.size(), stdout);
  if (std::fflush(stdout) != 0) {
    std::perror("ccmon-bank2events: stdout");
    return 1;
  }
  std::cerr << "ccmon-bank2events: " << records << " records (" << phantoms << " PHANTOM skipped, "
            << malformed << " malformed skipped), " << out.size() << " events\n";
  return 0;
}
