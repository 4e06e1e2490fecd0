// SLA transition log lines (docs/sla.md, "Log lines"): escaped and cut
// client text, at most kMaxSlaLogLines a tick, then one summary line.
#include "server/sla_log.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ccmon::server {
namespace {

core::SlaTransition transition(std::string queue, bool entered, std::optional<double> value = 7) {
  core::SlaTransition tr;
  tr.sla = "oldest_waiting";
  tr.queue = std::move(queue);
  tr.channel = "voice";
  tr.value = value;
  tr.target = 2;
  tr.entered = entered;
  return tr;
}

}  // namespace

TEST_CASE("a transition line escapes and cuts the queue name", "[server][sla][log]") {
  CHECK(format_sla_transition(transition("sales", true)) ==
        "SLA breached: rule=oldest_waiting queue=sales channel=voice value=7 target=2");
  CHECK(format_sla_transition(transition("sales", false, std::nullopt)) ==
        "SLA recovered: rule=oldest_waiting queue=sales channel=voice value=undefined target=2");
  // A newline cannot forge a line, an escape cannot reach a terminal.
  CHECK(format_sla_transition(transition("a\nSLA recovered: x\x1b[2J", true)) ==
        "SLA breached: rule=oldest_waiting queue=a\\x0aSLA recovered: x\\x1b[2J channel=voice "
        "value=7 target=2");
  // 1000 bytes: the first kMaxLoggedBytes (128) kept, the size noted.
  const std::string line = format_sla_transition(transition(std::string(1000, 'q'), true));
  std::string expected = "SLA breached: rule=oldest_waiting queue=";
  expected.append(128, 'q');  // appended: GCC 12 -O3 warns falsely on "x" + string
  expected += "...(1000 bytes) channel=voice value=7 target=2";
  CHECK(line == expected);
}

TEST_CASE("at most max_lines transitions a tick, then one summary line", "[server][sla][log]") {
  std::vector<core::SlaTransition> all;
  // 25 transitions: 10 logged; of the 15 others, 12 breaches (i = 10..21)
  // and 3 recoveries (i = 22..24).
  for (int i = 0; i < 25; ++i) {
    std::string queue = "q";
    queue += std::to_string(i);
    all.push_back(transition(queue, i < 22));
  }
  const SlaLog log = sla_log_lines(all, 10);
  REQUIRE(log.lines.size() == 11);
  CHECK(log.suppressed == 15);
  for (int i = 0; i < 10; ++i) {
    CHECK(log.lines[static_cast<std::size_t>(i)].text ==
          format_sla_transition(all[static_cast<std::size_t>(i)]));
    CHECK(log.lines[static_cast<std::size_t>(i)].warning);
  }
  CHECK(log.lines[10].text ==
        "15 more SLA transitions suppressed (12 breached, 3 recovered) to keep the log bounded; "
        "ccmon_sla_breached and /v1/kpis show every rule's state");
  CHECK(log.lines[10].warning);

  // Exactly at the limit: no summary. Only recoveries beyond it: info.
  CHECK(sla_log_lines(std::vector<core::SlaTransition>(all.begin(), all.begin() + 10), 10)
            .lines.size() == 10);
  std::vector<core::SlaTransition> recoveries(12, transition("q", false));
  const SlaLog r = sla_log_lines(recoveries, 10);
  REQUIRE(r.lines.size() == 11);
  CHECK(r.suppressed == 2);
  CHECK_FALSE(r.lines[10].warning);
  CHECK(sla_log_lines({}, 10).lines.empty());
}

}  // namespace ccmon::server

namespace ccmon::server {

TEST_CASE("at-risk lines: ETA, escaping, their own cap and summary", "[server][sla][log]") {
  core::AtRiskTransition tr;
  tr.sla = "oldest_waiting";
  tr.queue = "sales\n";
  tr.channel = "voice";
  tr.entered = true;
  tr.breach_eta_seconds = 42.5;
  CHECK(format_at_risk_transition(tr) ==
        "SLA at risk: rule=oldest_waiting queue=sales\\x0a channel=voice breach_eta=42.5s");
  tr.breach_eta_seconds = 0;
  CHECK(format_at_risk_transition(tr).ends_with("breach_eta=now"));
  tr.entered = false;
  CHECK(format_at_risk_transition(tr) ==
        "SLA no longer at risk: rule=oldest_waiting queue=sales\\x0a channel=voice");

  // 13 transitions, 12 entering: 10 lines, then a summary of 3 (2 at risk, 1 no longer).
  std::vector<core::AtRiskTransition> many(13, tr);
  for (std::size_t i = 0; i < 12; ++i) many[i].entered = true;
  const SlaLog log = at_risk_log_lines(many);
  REQUIRE(log.lines.size() == 11);
  CHECK(log.suppressed == 3);
  CHECK(log.lines[0].warning);
  CHECK(log.lines[10].warning);
  CHECK(log.lines[10].text.starts_with(
      "3 more SLA at-risk transitions suppressed (2 at risk, 1 no longer)"));
}

}  // namespace ccmon::server
