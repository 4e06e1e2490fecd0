// The page's pure functions, run in node (no browser): backoff, feed URL,
// globs, rotation, interval aggregation, formatting. The page's classic
// scripts are loaded as they ship, into one vm context.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import vm from "node:vm";
import { PAGE_DIR } from "./support/paths.mjs";

const context = vm.createContext({ URL, URLSearchParams, console });
for (const file of ["format.js", "view.js", "feed.js", "merge.js", "aggregate.js", "chart.js"]) {
  vm.runInContext(fs.readFileSync(path.join(PAGE_DIR, "assets", file), "utf8"), context, { filename: file });
}
const { ccmonFormat: fmt, ccmonView: view, ccmonFeed: feed, ccmonChart: chart, ccmonMerge: merge, ccmonAggregate: aggregate } =
  vm.runInContext("({ ccmonFormat, ccmonView, ccmonFeed, ccmonChart, ccmonMerge, ccmonAggregate })", context);

test("backoff doubles from 0.5 s up to 30 s, half of it jittered", () => {
  // ceiling = min(30000, 500 × 2^attempt); delay in [ceiling/2, ceiling].
  assert.equal(feed.backoffDelay(0, {}, () => 0), 250);
  assert.equal(feed.backoffDelay(0, {}, () => 1), 500);
  assert.equal(feed.backoffDelay(3, {}, () => 0), 2000);
  assert.equal(feed.backoffDelay(3, {}, () => 0.5), 3000);
  assert.equal(feed.backoffDelay(6, {}, () => 1), 30000); // 32000 capped
  assert.equal(feed.backoffDelay(1000, {}, () => 0), 15000); // no overflow for a long outage
});

test("the feed URL follows the page's scheme, host and path prefix", () => {
  assert.equal(feed.liveUrl("http://127.0.0.1:9477/?queue=sales#x"), "ws://127.0.0.1:9477/v1/live");
  assert.equal(feed.liveUrl("https://proxy.example/ccmon/?window=5m"), "wss://proxy.example/ccmon/v1/live");
  assert.equal(feed.liveUrl("http://h/", "a b/c&d"), "ws://h/v1/live?token=a+b%2Fc%26d");
  assert.equal(feed.liveUrl("file:///srv/web/page/index.html"), null);
});

test("globs behave as in SLA rules", () => {
  assert.equal(view.globMatch("vip*", "vip"), true);
  assert.equal(view.globMatch("vip*", "vip_gold"), true);
  assert.equal(view.globMatch("vip*", "svip"), false);
  assert.equal(view.globMatch("????", "chat"), true);
  assert.equal(view.globMatch("????", "voice"), false);
  assert.equal(view.globMatch("a.b", "axb"), false); // regex characters are literal
  assert.equal(view.globMatch("Sales", "sales"), false);
});

test("parse: defaults, lists, and fallbacks for bad values", () => {
  const v = view.parse("queue=a,b&queue=c&panels=agents,nonsense&stale=-3&theme=pink&sort=sla");
  assert.deepEqual([...v.queues], ["a", "b", "c"]);
  assert.deepEqual([...v.panels], ["agents"]);
  assert.equal(v.staleSeconds, 10);
  assert.equal(v.theme, "dark");
  assert.equal(v.sort, "sla");
  assert.equal(v.window, "15m");
  assert.equal(view.parse("stale=0").staleSeconds, 0);
});

test("rotation steps override the base view, never its token or rotation", () => {
  const base = `rotate=5&queue=a&token=t&view=${encodeURIComponent("queue=b&theme=light&token=evil")}&view=${encodeURIComponent("team=x")}`;
  const step0 = new URLSearchParams(view.rotationStep(base, 0));
  assert.deepEqual([step0.get("queue"), step0.get("theme"), step0.get("token")], ["b", "light", "t"]);
  const step1 = new URLSearchParams(view.rotationStep(base, 1));
  assert.deepEqual([step1.get("queue"), step1.get("team"), step1.get("theme")], ["a", "x", null]);
  assert.equal(view.rotationStep(base, 2), view.rotationStep(base, 0)); // round and round
});

test("interval aggregation weights service level by volume and ASA by answered", () => {
  const start = "2026-11-30T09:00:00+01:00";
  const rows = chart.aggregate([
    { intervals: [{ start, offered: 10, answered: 8, abandoned: 2, service_level_ratio: 0.5, service_level_volume: 10, average_speed_of_answer_seconds: 20 }] },
    { intervals: [{ start, offered: 5, answered: 5, abandoned: 0, service_level_ratio: 1, service_level_volume: 5, average_speed_of_answer_seconds: 5 },
      { start: "2026-11-30T08:45:00+01:00", offered: 0, answered: 0, abandoned: 0, service_level_ratio: null, service_level_volume: 0, average_speed_of_answer_seconds: null }] },
  ]);
  assert.deepEqual([...rows.map((r) => r.start)], ["2026-11-30T08:45:00+01:00", start]); // sorted by time
  assert.deepEqual([rows[0].service_level_ratio, rows[0].average_speed_of_answer_seconds], [null, null]);
  const r = rows[1];
  assert.deepEqual([r.offered, r.answered, r.abandoned], [15, 13, 2]);
  // (0.5 × 10 + 1 × 5) / 15 = 2/3; (20 × 8 + 5 × 5) / 13 = 185/13.
  assert.ok(Math.abs(r.service_level_ratio - 2 / 3) < 1e-12);
  assert.ok(Math.abs(r.average_speed_of_answer_seconds - 185 / 13) < 1e-12);
});

test("updates upsert keyed items, remove the keys that went, keep what they do not carry", () => {
  const state = {
    type: "state", now: "t0", build: "b",
    series: [{ queue: "a", channel: "voice", v: 1 }, { queue: "b", channel: "chat", v: 2 }, { queue: "b", channel: "voice", v: 3 }],
    agents: [{ agent: "x", state: "busy" }, { agent: "y", state: "away" }],
    teams: [{ team: "n", busy: 1 }],
    sla: [{ sla: "r", queue: "a", channel: "voice", breached: false }],
    feeds: [{ feed: "events", stale: false }],
  };
  // Plain objects of this realm (the page's run in the vm context's).
  const apply = (data, message) => JSON.parse(JSON.stringify(merge.applyMessage(data, message)));
  const d0 = apply(null, state);
  assert.equal(d0.type, undefined); // the state's sections only
  assert.equal(merge.applyMessage(null, { type: "update", now: "t1" }), null); // nothing to apply to
  const d1 = apply(d0, {
    type: "update", now: "t1",
    series: [{ queue: "b", channel: "chat", v: 20 }, { queue: "a", channel: "chat", v: 9 }],
    agents: [{ agent: "y", state: "available" }],
    removed: { agents: [{ agent: "x" }], sla: [{ sla: "r", queue: "a", channel: "voice" }] },
    feeds: [{ feed: "events", stale: true }],
  });
  // b/chat replaced in place, a/chat new and put in the daemon's order
  // (queue, then channel); b/voice untouched.
  assert.deepEqual(d1.series.map((s) => `${s.queue}/${s.channel}=${s.v}`), ["a/chat=9", "a/voice=1", "b/chat=20", "b/voice=3"]);
  assert.deepEqual(d1.agents, [{ agent: "y", state: "available" }]); // x went, y changed
  assert.deepEqual(d1.sla, []); // removed with no section in the update
  assert.deepEqual(d1.teams, [{ team: "n", busy: 1 }]); // absent: unchanged
  assert.deepEqual(d1.feeds, [{ feed: "events", stale: true }]); // a plain section: replaced whole
  assert.equal(d1.now, "t1");
  assert.equal(d1.removed, undefined);
  const d2 = merge.applyMessage(d0, { type: "update", now: "t2", series: [{ queue: "a", channel: "voice", v: 7 }] });
  assert.deepEqual([...d2.series.map((s) => s.v)], [7, 2, 3]);
  assert.deepEqual(d0.series.map((s) => s.v), [1, 2, 3]); // the previous copy is not mutated
});

test("formatting", () => {
  assert.equal(fmt.duration(0), "0:00");
  assert.equal(fmt.duration(95.9), "1:35"); // a ticking clock floors
  assert.equal(fmt.duration(3725), "1:02:05");
  assert.equal(fmt.duration(null), "–");
  assert.equal(fmt.seconds(42.4), "42s");
  assert.equal(fmt.seconds(59.5), "1:00"); // an average rounds: 60 s
  assert.equal(fmt.seconds(251.5), "4:12");
  assert.equal(fmt.percent(0.875), "88%");
  assert.equal(fmt.percent(null), "–");
  assert.equal(fmt.target("service_level_ratio", ">=", 0.8), "≥ 80%");
  assert.equal(fmt.target("oldest_waiting_seconds", "<=", 120), "≤ 2:00");
  assert.equal(fmt.target("contacts_waiting", "<=", 2), "≤ 2");
  assert.equal(fmt.target("nps", ">", 12.5), "> 12.5");
  assert.deepEqual([chart.niceStep(26), chart.niceStep(50), chart.niceStep(2)], [10, 20, 1]);
});

test("peers: base URLs of other instances, their feeds with the same token", () => {
  const v = view.parse("peers=http://10.0.0.2:9400,https://proxy/ccmon&peers=ftp://x&peers=nonsense&token=t");
  assert.deepEqual([...v.peers], ["http://10.0.0.2:9400", "https://proxy/ccmon"]);
  assert.deepEqual([...view.parse("").peers], []);
  assert.equal(feed.peerLiveUrl("http://10.0.0.2:9400", "t"), "ws://10.0.0.2:9400/v1/live?token=t");
  assert.equal(feed.peerLiveUrl("https://proxy/ccmon"), "wss://proxy/ccmon/v1/live"); // prefix kept
  assert.equal(feed.peerLiveUrl("https://proxy/ccmon/"), "wss://proxy/ccmon/v1/live");
  assert.equal(feed.peerLiveUrl("http://"), null);
  // A rotation view cannot change the instances a TV connects to.
  const step = new URLSearchParams(view.rotationStep(`peers=http://a:1&view=${encodeURIComponent("peers=http://evil:1")}`, 0));
  assert.deepEqual(step.getAll("peers"), ["http://a:1"]);
});

// Two instances' feeds, by hand. Queue C on voice is split between them.
function twoFeeds() {
  const w1 = {
    offered: 4, answered: 3, abandoned: 1, short_abandoned: 0, overflowed: 0, handled: 3,
    service_level_ratio: 0.5, average_speed_of_answer_seconds: 10, abandon_ratio: 0.25, wait_max_seconds: 40,
    wait_p90_seconds: 35, deflected: { messaging: 1 },
    parts: { service_level_met: 2, service_level_eligible: 4, answered_wait_seconds: 30, talk_time_seconds: 300,
      hold_time_seconds: 0, after_contact_work_seconds: 60, csat_answers: 2, csat_satisfied_answers: 1,
      nps_answers: 2, nps_promoters: 1, nps_detractors: 1, first_responses: 0, first_response_time_seconds: 0 },
  };
  const w2 = {
    offered: 2, answered: 2, abandoned: 0, short_abandoned: 0, overflowed: 0, handled: 1,
    service_level_ratio: 1, average_speed_of_answer_seconds: 5, abandon_ratio: 0, wait_max_seconds: 7,
    wait_p90_seconds: 6, deflected: { messaging: 2, email: 1 },
    parts: { service_level_met: 2, service_level_eligible: 2, answered_wait_seconds: 10, talk_time_seconds: 120,
      hold_time_seconds: 30, after_contact_work_seconds: 0, csat_answers: 1, csat_satisfied_answers: 1,
      nps_answers: 1, nps_promoters: 1, nps_detractors: 0, first_responses: 0, first_response_time_seconds: 0 },
  };
  const series = (queue, w, live) => ({ queue, channel: "voice", service_level_threshold_seconds: 20, live,
    totals: { offered: w.offered }, windows: { "15m": w } });
  const start = "2026-11-30T09:00:00+01:00";
  const iv = (offered, answered, sl, volume, asa) => ({ day: "2026-11-30", time_zone: "Europe/Paris", interval_seconds: 900,
    series: [{ queue: "C", channel: "voice", service_level_threshold_seconds: 20,
      intervals: [{ start, offered, answered, abandoned: offered - answered, service_level_ratio: sl, service_level_volume: volume, average_speed_of_answer_seconds: asa }] }] });
  const one = {
    now: "2026-11-30T08:10:00.000Z", build: "b1", windows: ["15m"],
    series: [series("A", { ...w1 }, { contacts_waiting: 0, oldest_waiting_seconds: 0 }),
      series("C", w1, { contacts_waiting: 1, oldest_waiting_seconds: 20, contacts_active: 2 })],
    teams: [{ team: "t", agents: { available: 1, busy: 0 }, windows: { "15m": { occupancy_ratio: 0.8,
      parts: { team_staffed_seconds: 100, team_occupied_seconds: 80, team_handled: 3, team_between_contacts: 1, team_between_contacts_seconds: 50 } } } }],
    sla: [{ sla: "r", queue: "C", channel: "voice", breached: false, at_risk: false, value: 0.5 },
      { sla: "r", queue: "A", channel: "voice", breached: false, at_risk: true, value: 0.5 }],
    agents: [{ agent: "a1", team: "t", state: "busy", state_since: "2026-11-30T08:00:00.000Z",
      today: { handled: 2, average_handle_time_seconds: 100, occupancy_ratio: 0.9 } }],
    agents_total: 1,
    intervals: iv(4, 3, 0.5, 4, 10),
    feeds: [{ feed: "events", stale: false }],
  };
  const two = {
    now: "2026-11-30T08:10:10.000Z", build: "b2", windows: ["15m"],
    series: [series("B", { ...w2 }, { contacts_waiting: 0, oldest_waiting_seconds: 0 }),
      series("C", w2, { contacts_waiting: 2, oldest_waiting_seconds: 5, contacts_active: 1 })],
    teams: [{ team: "t", agents: { available: 0, busy: 2 }, windows: { "15m": { occupancy_ratio: 0.4,
      parts: { team_staffed_seconds: 300, team_occupied_seconds: 120, team_handled: 1, team_between_contacts: 3, team_between_contacts_seconds: 30 } } } }],
    sla: [{ sla: "r", queue: "C", channel: "voice", breached: true, at_risk: false, value: 0.9 }],
    agents: [{ agent: "a1", team: "t", state: "available", state_since: "2026-11-30T08:05:00.000Z",
      today: { handled: 1, average_handle_time_seconds: 40, occupancy_ratio: 0.3 } },
    { agent: "a2", team: "t", state: "busy", state_since: "2026-11-30T08:01:00.000Z", today: { handled: 0, average_handle_time_seconds: null } }],
    agents_total: 2,
    intervals: iv(2, 2, 1, 2, 5),
    feeds: [{ feed: "events", stale: false }],
  };
  return [one, two];
}

test("aggregate: one feed (or one and a feed with no state yet) is shown as it is", () => {
  const [one] = twoFeeds();
  assert.equal(aggregate.merge([one]), one);
  assert.equal(aggregate.merge([one, null]), one);
  assert.equal(aggregate.merge([null, null]), null);
});

test("aggregate: a split tile adds counts and rebuilds ratios from summed parts", () => {
  const m = aggregate.merge(twoFeeds());
  assert.deepEqual([...m.series.map((s) => s.queue)], ["A", "B", "C"]);
  assert.equal(m.now, "2026-11-30T08:10:10.000Z"); // the latest
  assert.equal(m.build, "b1"); // this daemon's
  const c = m.series[2];
  const w = c.windows["15m"];
  assert.deepEqual([w.offered, w.answered, w.abandoned, w.handled], [6, 5, 1, 4]);
  // SL (2 + 2) / (4 + 2) = 2/3, not the mean of 0.5 and 1 (0.75).
  assert.ok(Math.abs(w.service_level_ratio - 2 / 3) < 1e-12);
  // ASA (30 + 10) / (3 + 2) = 8, not (10 + 5) / 2.
  assert.equal(w.average_speed_of_answer_seconds, 8);
  // AHT (300 + 0 + 60 + 120 + 30 + 0) / (3 + 1) = 127.5.
  assert.equal(w.average_handle_time_seconds, 127.5);
  // Abandon (1 − 0) / (5 + 1 − 0 + 0) = 1/6.
  assert.ok(Math.abs(w.abandon_ratio - 1 / 6) < 1e-12);
  // CSAT (1 + 1) / (2 + 1); NPS 100 × (2 − 1) / 3.
  assert.ok(Math.abs(w.csat_ratio - 2 / 3) < 1e-12);
  assert.ok(Math.abs(w.nps - 100 / 3) < 1e-9);
  assert.equal(w.average_first_response_seconds, null); // no first response: undefined, not 0
  assert.equal(w.wait_max_seconds, 40);
  assert.equal(w.wait_p90_seconds, null); // a quantile cannot be rebuilt from two
  assert.deepEqual({ ...w.deflected }, { messaging: 3, email: 1 });
  // Waiting 1 + 2; the oldest: 20 s as of 08:10:00 is 30 s as of 08:10:10, more than 5 s.
  assert.equal(c.live.contacts_waiting, 3);
  assert.equal(c.live.contacts_active, 3);
  assert.equal(c.live.oldest_waiting_seconds, 30);
  // A and B come from one instance each: their values unchanged.
  assert.equal(m.series[0].windows["15m"].service_level_ratio, 0.5);
  assert.equal(m.series[1].windows["15m"].average_speed_of_answer_seconds, 5);
});

test("aggregate: teams, agents, SLA rules, intervals and feeds", () => {
  const m = aggregate.merge(twoFeeds());
  const t = m.teams[0];
  assert.deepEqual({ ...t.agents }, { available: 1, busy: 2 });
  // Occupancy (80 + 120) / (100 + 300) = 0.5, not (0.8 + 0.4) / 2; 4 handled in 400 s = 36 an hour;
  // (50 + 30) / (1 + 3) = 20 s between contacts.
  assert.equal(t.windows["15m"].occupancy_ratio, 0.5);
  assert.equal(t.windows["15m"].contacts_per_agent_hour, 36);
  assert.equal(t.windows["15m"].average_time_between_contacts_seconds, 20);
  // a1 is on both: the row whose state began last (instance two, 08:05) wins; handled 2 + 1,
  // AHT (2 × 100 + 1 × 40) / 3 = 80; occupancy today the winner's.
  assert.deepEqual([...m.agents.map((a) => a.agent)], ["a1", "a2"]);
  assert.equal(m.agents[0].state, "available");
  assert.deepEqual({ ...m.agents[0].today }, { handled: 3, average_handle_time_seconds: 80, occupancy_ratio: 0.3 });
  assert.equal(m.agents_total, 2); // 1 + 2 tracked, a1 counted once
  // r on C is breached on instance two: breached; r on A from instance one only, at risk.
  assert.deepEqual([...m.sla.map((r) => [r.queue, r.breached, r.at_risk])], [["A", false, true], ["C", true, false]]);
  // One interval row: offered 4 + 2; SL (0.5 × 4 + 1 × 2) / 6 = 2/3; ASA (10 × 3 + 5 × 2) / 5 = 8.
  const row = m.intervals.series[0].intervals[0];
  assert.deepEqual([row.offered, row.answered, row.abandoned, row.service_level_volume], [6, 5, 1, 6]);
  assert.ok(Math.abs(row.service_level_ratio - 2 / 3) < 1e-12);
  assert.equal(row.average_speed_of_answer_seconds, 8);
  assert.equal(m.feeds.length, 2);
});

test("aggregate: intervals of another day are left out", () => {
  const [one, two] = twoFeeds();
  const old = { ...one.intervals, day: "2026-11-29" };
  const m = aggregate.mergeIntervals([old, two.intervals]);
  assert.equal(m.series[0].intervals[0].offered, 2);
});
