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
for (const file of ["format.js", "view.js", "feed.js", "merge.js", "chart.js"]) {
  vm.runInContext(fs.readFileSync(path.join(PAGE_DIR, "assets", file), "utf8"), context, { filename: file });
}
const { ccmonFormat: fmt, ccmonView: view, ccmonFeed: feed, ccmonChart: chart, ccmonMerge: merge } =
  vm.runInContext("({ ccmonFormat, ccmonView, ccmonFeed, ccmonChart, ccmonMerge })", context);

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
