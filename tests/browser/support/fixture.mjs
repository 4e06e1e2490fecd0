// Feed documents shaped as docs/wallboard.md specifies, for the page tests
// that run without a daemon (the feed is played to the page by playwright's
// WebSocket routing). Values are chosen by hand; the expected text the page
// shows is written next to each in the tests.

const KPI_KEYS = [
  "offered", "answered", "abandoned", "short_abandoned", "overflowed", "handled", "answer_ratio",
  "abandon_ratio", "service_level_ratio", "average_speed_of_answer_seconds", "wait_max_seconds",
  "wait_p50_seconds", "wait_p90_seconds", "average_abandon_time_seconds", "average_handle_time_seconds",
  "average_talk_time_seconds", "average_hold_time_seconds", "average_after_contact_work_seconds",
  "transfer_ratio", "average_first_response_seconds", "average_response_seconds", "self_service_ratio",
  "first_contact_resolution_ratio", "average_resolution_seconds", "resolved_cases", "escalation_ratio",
  "csat_ratio", "csat_average", "nps", "ces_average", "negative_sentiment_ratio", "conversion_ratio",
  "churned_customers",
];

/** A window object with every KPI key (null unless given), as /v1/kpis has it. */
export function kpiWindow(values) {
  const w = { deflected: {} };
  for (const k of KPI_KEYS) w[k] = k.endsWith("_ratio") || k.startsWith("average_") || k.startsWith("wait_") ||
    ["csat_average", "nps", "ces_average"].includes(k) ? null : 0;
  return { ...w, ...values };
}

export function series(queue, channel, { waiting = 0, oldest = 0, windows = {}, threshold = 20 } = {}) {
  return {
    queue,
    channel,
    service_level_threshold_seconds: threshold,
    short_abandon_threshold_seconds: 5,
    live: { contacts_waiting: waiting, oldest_waiting_seconds: oldest, contacts_active: 2, cases_active: 0 },
    totals: { offered: 40, answered: 35, abandoned: 3, handled: 33 },
    windows,
  };
}

export function slaRule(queue, channel, { kpi = "service_level_ratio", window = "15m", value, target = 0.8, op = ">=", breached = false, at_risk }) {
  const rule = { sla: `${kpi}_${queue}`, queue, channel, kpi, window, value, target, op, breached, breaches_total: breached ? 1 : 0, since: 1795856400 };
  if (at_risk !== undefined) rule.at_risk = at_risk;
  return rule;
}

const NOW = "2026-11-30T10:00:00.000Z";

/** Today's intervals of one series from 08:00 local (+01:00) to 10:00, 15 minutes each. */
function intervals(offeredPerInterval) {
  return offeredPerInterval.map((offered, i) => {
    const minutes = 8 * 60 + 15 * i;
    const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
    const mm = String(minutes % 60).padStart(2, "0");
    const abandoned = Math.floor(offered / 10);
    const answered = offered - abandoned;
    return {
      start: `2026-11-30T${hh}:${mm}:00+01:00`,
      offered,
      answered,
      abandoned,
      service_level_ratio: offered ? 0.6 + (i % 4) * 0.1 : null,
      service_level_volume: answered + abandoned,
      average_speed_of_answer_seconds: answered ? 10 + i * 2 : null,
    };
  });
}

/**
 * A full state: four series (sales/voice breached on service level,
 * support/chat at risk, support/voice and billing/email fine), two teams,
 * five agents, today's intervals.
 */
export function state(overrides = {}) {
  const w15 = (v) => ({ "5m": kpiWindow({ offered: 1 }), "15m": kpiWindow(v), "1h": kpiWindow({ offered: 30 }), today: kpiWindow({ offered: 200 }) });
  return {
    type: "state",
    now: NOW,
    build: "0.1.0",
    windows: ["5m", "15m", "1h", "24h", "today"],
    series: [
      series("billing", "email", { windows: w15({ offered: 4, answered: 4, average_first_response_seconds: 1800 }) }),
      series("sales", "voice", {
        waiting: 3,
        oldest: 95,
        windows: w15({ offered: 12, answered: 9, abandoned: 2, service_level_ratio: 0.5, abandon_ratio: 0.1818,
          average_speed_of_answer_seconds: 42.4, average_handle_time_seconds: 245, csat_ratio: 0.9, nps: 35 }),
      }),
      series("support", "chat", { waiting: 1, oldest: 12, windows: w15({ offered: 8, answered: 8, service_level_ratio: 0.84, average_first_response_seconds: 47 }) }),
      series("support", "voice", { windows: w15({ offered: 6, answered: 6, service_level_ratio: 1, average_speed_of_answer_seconds: 5 }) }),
    ],
    teams: [
      { team: "north", agents: { available: 2, busy: 3, wrap_up: 1, away: 0, offline: 4 }, windows: { "15m": { occupancy_ratio: 0.75, contacts_per_agent_hour: null, average_time_between_contacts_seconds: null } } },
      { team: "south", agents: { available: 1, busy: 1, wrap_up: 0, away: 1, offline: 0 }, windows: { "15m": { occupancy_ratio: 0.5, contacts_per_agent_hour: null, average_time_between_contacts_seconds: null } } },
    ],
    sla: [
      slaRule("sales", "voice", { value: 0.5, breached: true }),
      slaRule("support", "chat", { value: 0.84 }),
      slaRule("support", "voice", { value: 1 }),
    ],
    agents: [
      { agent: "alice", team: "north", state: "busy", reason: null, state_since: "2026-11-30T09:58:00.000Z",
        contact: { contact: "c17", queue: "sales", channel: "voice", answered_at: "2026-11-30T09:58:00.000Z" },
        today: { handled: 12, average_handle_time_seconds: 251.5, occupancy_ratio: 0.82 } },
      { agent: "bob", team: "north", state: "available", reason: null, state_since: "2026-11-30T09:59:30.000Z", contact: null,
        today: { handled: 9, average_handle_time_seconds: 300, occupancy_ratio: 0.7 } },
      { agent: "carol", team: "south", state: "away", reason: "lunch", state_since: "2026-11-30T09:40:00.000Z", contact: null,
        today: { handled: 4, average_handle_time_seconds: null, occupancy_ratio: null } },
      { agent: "dave", team: "south", state: "wrap_up", reason: null, state_since: "2026-11-30T09:59:50.000Z",
        contact: { contact: "c18", queue: "support", channel: "voice", answered_at: "2026-11-30T09:55:00.000Z" },
        today: { handled: 7, average_handle_time_seconds: 199, occupancy_ratio: 0.64 } },
      { agent: "erin", team: "north", state: "offline", reason: null, state_since: "2026-11-30T07:00:00.000Z", contact: null,
        today: { handled: 0, average_handle_time_seconds: null, occupancy_ratio: null } },
    ],
    agents_total: 5,
    intervals: {
      day: "2026-11-30",
      time_zone: "Europe/Paris",
      interval_seconds: 900,
      series: [
        { queue: "sales", channel: "voice", service_level_threshold_seconds: 20, intervals: intervals([10, 14, 20, 25, 30, 28, 22, 18, 6]) },
        { queue: "support", channel: "voice", service_level_threshold_seconds: 20, intervals: intervals([5, 6, 8, 10, 12, 9, 8, 7, 2]) },
      ],
    },
    feeds: [{ feed: "events", last_event: NOW, stale: false }],
    ...overrides,
  };
}

export { NOW };

/**
 * A large center: `queues` queues × 3 channels and `agents` agents in four
 * teams, for layout checks (does it fit, does the grid page).
 */
export function bigState({ queues = 8, agents = 80 } = {}) {
  const s = state();
  const channels = ["chat", "email", "voice"];
  s.series = [];
  s.sla = [];
  for (let q = 0; q < queues; q += 1) {
    for (const channel of channels) {
      const queue = `queue-${String(q + 1).padStart(2, "0")}`;
      const sl = 0.55 + ((q * 3 + channels.indexOf(channel)) % 10) * 0.05;
      s.series.push(series(queue, channel, { waiting: q % 4, oldest: q * 17, windows: { "15m": kpiWindow({ offered: 20 + q, answered: 18, service_level_ratio: sl, abandon_ratio: 0.05, average_speed_of_answer_seconds: 12 + q, average_handle_time_seconds: 200 + q * 10 }) } }));
      s.sla.push(slaRule(queue, channel, { value: sl, breached: sl < 0.8 }));
    }
  }
  const teams = ["north", "south", "east", "west"];
  const states = ["busy", "busy", "available", "wrap_up", "away", "busy"];
  s.agents = Array.from({ length: agents }, (_, i) => ({
    agent: `agent-${String(i + 1).padStart(3, "0")}`, team: teams[i % 4], state: states[i % states.length], reason: null,
    state_since: `2026-11-30T09:${String(59 - (i % 50)).padStart(2, "0")}:00.000Z`, contact: null,
    today: { handled: i % 15, average_handle_time_seconds: 180 + i, occupancy_ratio: 0.6 },
  }));
  s.agents_total = agents;
  s.teams = teams.map((team) => ({ team, agents: { available: 5, busy: 10, wrap_up: 2, away: 2, offline: 1 }, windows: { "15m": { occupancy_ratio: 0.7, contacts_per_agent_hour: null, average_time_between_contacts_seconds: null } } }));
  return s;
}
