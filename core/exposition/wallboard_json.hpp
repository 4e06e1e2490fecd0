// The wallboard's JSON beyond /v1/kpis (docs/wallboard.md): the agent grid
// (/v1/agents and the feed's `agents`) and today's fixed intervals
// (/v1/intervals and the feed's `intervals`). Pure functions of a snapshot;
// thread-safe on an immutable snapshot.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/engine/snapshot.hpp"

namespace ccmon::core {

// /v1/agents' parameters: `team` exact (empty: all), at most `limit` agents
// whose id sorts after `after` (bytewise; empty: from the first).
struct AgentQuery {
  std::string team;
  std::string after;
  std::size_t limit = 500;
};
inline constexpr std::size_t kAgentPageDefault = 500;
inline constexpr std::size_t kAgentPageMax = 5000;

// One agent as an item of `agents` (docs/wallboard.md, "GET /v1/agents").
nlohmann::json agent_json(const AgentSnapshot& a);

// {"agents": [...], "total": N, "next": id-or-null} without `now`: `total`
// counts the agents passing `team`; `next` is the last id listed when more
// follow it.
nlohmann::json agents_page_json(const Snapshot& snap, const AgentQuery& query);

// The interval length `text` names ("15m", "30m", "60m", "1h", also in
// seconds "900s"), when it is the configured length or a multiple of it
// that divides an hour; nullopt otherwise.
std::optional<Duration> interval_length(std::string_view text, Duration configured);

// {"day", "time_zone", "interval_seconds", "series": [...]} (no `now`) at
// `length` (a multiple of the snapshot's step), series filtered by exact
// `queue` / `channel` (empty: all). With no day started (today window off,
// or before the first event) `day` is null and `series` empty.
nlohmann::json intervals_json(const Snapshot& snap, Duration length, std::string_view queue = {},
                              std::string_view channel = {});

}  // namespace ccmon::core
