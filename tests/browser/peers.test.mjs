// Several instances on one board (docs/wallboard.md, "Several instances"):
// two real ccmond in event-clock mode, each fed its own hand-made events,
// and daemon 1's page opened with `peers=<daemon 2>` in Debian's chromium.
// Queue A is only on daemon 1, B only on daemon 2, C split between them;
// one agent on each, in the same team. Expected values by hand below.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { artifactDir, guard, launch } from "./support/browser.mjs";
import { Daemon, event, poll } from "./support/ccmond.mjs";

// Event clock: each daemon's `now` is its latest event, so nothing moves by
// itself (the page's stale check is off: stale=0). Service level: the
// default formula, answered within T = 20 s / (answered + abandoned − short
// abandoned); no abandon here is short (all wait 40 s, the threshold is 5 s).
const ARGS = ["--clock", "event"];

// t0 a little in the past; every event within 15 minutes of each daemon's now.
const t0 = Math.floor(Date.now() / 1000) - 600;

const q = (contact, queue, at) => event("contact.queued", { contact, queue, channel: "voice" }, t0 + at);
const ans = (contact, agent, at) => event("contact.answered", { contact, agent }, t0 + at);

// Daemon 1: agent a1 (team floor) available from t0 to its now, t0 + 200.
//   A: a1q queued at 10, answered at 15 (wait 5, within T).
//      offered 1, answered 1, SL 1/1 = 100 %, ASA 5 s.
//   C: c1, c2, c3 queued at 20; c1 answered at 30 (wait 10, within T),
//      c2 at 60 (wait 40), c3 abandoned at 60 (wait 40).
//      offered 3, answered 2, abandoned 1; SL met 1 of eligible 2 + 1 = 3;
//      answered wait 10 + 40 = 50 s.
const EVENTS_1 = [
  event("agent.state", { agent: "a1", state: "available", team: "floor" }, t0),
  q("a1q", "A", 10), ans("a1q", "a1", 15),
  q("c1", "C", 20), q("c2", "C", 20), q("c3", "C", 20),
  ans("c1", "a1", 30), ans("c2", "a1", 60),
  event("contact.abandoned", { contact: "c3" }, t0 + 60),
  // The last event: daemon 1's now is t0 + 200.
  event("agent.state", { agent: "a1", state: "available", team: "floor" }, t0 + 200),
];

// Daemon 2: agent a2 (team floor) available from t0, busy from t0 + 100 to
// its now, t0 + 300.
//   B: b1, b2 queued at 10; b1 answered at 40 (wait 30), b2 at 12 (wait 2).
//      offered 2, answered 2, SL 1/2 = 50 %, ASA (30 + 2) / 2 = 16 s.
//   C: c4…c7 queued at 20, answered at 22, 24, 26, 50 (waits 2, 4, 6, 30).
//      offered 4, answered 4; SL met 3 of eligible 4; answered wait 42 s.
const EVENTS_2 = [
  event("agent.state", { agent: "a2", state: "available", team: "floor" }, t0),
  q("b1", "B", 10), q("b2", "B", 10), ans("b2", "a2", 12), ans("b1", "a2", 40),
  q("c4", "C", 20), q("c5", "C", 20), q("c6", "C", 20), q("c7", "C", 20),
  ans("c4", "a2", 22), ans("c5", "a2", 24), ans("c6", "a2", 26), ans("c7", "a2", 50),
  event("agent.state", { agent: "a2", state: "busy", team: "floor" }, t0 + 100),
  // The last event: daemon 2's now is t0 + 300.
  q("b3", "B", 299), ans("b3", "a2", 300),
];

let d1;
let d2;
let browser;

const tile = (queue) => `.tile[data-queue="${queue}"][data-channel="voice"]`;
const value = (page, queue, kpi) =>
  page.locator(`${tile(queue)} [data-kpi="${kpi}"] .kpi-value, ${tile(queue)} [data-kpi="${kpi}"] .big-value`).textContent();
const foot = (page, queue) => page.locator(`${tile(queue)} .tile-foot`).textContent();

describe("one board over two ccmond instances (peers=)", { timeout: 300000 }, () => {
  before(async () => {
    [d1, d2] = await Promise.all([Daemon.start({ args: ARGS }), Daemon.start({ args: ARGS })]);
    await d1.postEvents(EVENTS_1);
    await d2.postEvents(EVENTS_2);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d1?.stop();
    await d2?.stop();
  });

  async function open() {
    const page = await browser.context.newPage();
    const origins = [new URL(d1.base).host, new URL(d2.base).host];
    const seen = await guard(page, (url) => {
      const u = new URL(url);
      return origins.includes(u.host) && ["http:", "ws:"].includes(u.protocol);
    });
    await page.goto(`${d1.base}/?window=15m&stale=0&peers=${encodeURIComponent(d2.base)}`);
    return { page, seen };
  }

  test("tiles, team and agents of both instances, split queue C merged from its parts", async () => {
    const { page, seen } = await open();
    // Daemon 2's last event (b3 at t0 + 300) is in the board once B shows offered 3.
    await poll(async () => (await page.locator(tile("B")).count()) && /^offered 3 /.test(await foot(page, "B")),
      { what: "both feeds on the board" });
    await poll(async () => (await page.locator(tile("C")).count()) && /^offered 7 /.test(await foot(page, "C")),
      { what: "C from both instances" });

    // A, daemon 1 only: as on its own board.
    assert.match(await foot(page, "A"), /^offered 1 · answered 1 · abandoned 0/);
    assert.equal(await value(page, "A", "service_level_ratio"), "100%");
    assert.equal(await value(page, "A", "average_speed_of_answer_seconds"), "5s");
    // B, daemon 2 only: b1 (30 s), b2 (2 s), b3 (1 s): offered 3, answered 3,
    // SL 2/3 = 67 %, ASA (30 + 2 + 1) / 3 = 11 s.
    assert.match(await foot(page, "B"), /^offered 3 · answered 3 · abandoned 0/);
    assert.equal(await value(page, "B", "service_level_ratio"), "67%");
    assert.equal(await value(page, "B", "average_speed_of_answer_seconds"), "11s");

    // C, split: counts 3 + 4 offered, 2 + 4 answered, 1 + 0 abandoned.
    assert.match(await foot(page, "C"), /^offered 7 · answered 6 · abandoned 1/);
    // SL (1 + 3) / (3 + 4) = 4/7 = 57 % (the mean of 1/3 and 3/4 would be 54 %).
    assert.equal(await value(page, "C", "service_level_ratio"), "57%");
    // ASA (50 + 42) / (2 + 4) = 15.3 s → 15s (the mean of 25 and 10.5 would be 18s).
    assert.equal(await value(page, "C", "average_speed_of_answer_seconds"), "15s");
    // Abandoned (1 − 0) / (6 + 1 − 0 + 0) = 1/7 = 14 %.
    assert.equal(await value(page, "C", "abandon_ratio"), "14%");

    // Team floor: a1 available on daemon 1, a2 busy on daemon 2.
    const team = page.locator('.team[data-team="floor"]');
    assert.equal(await team.count(), 1);
    assert.equal(await team.locator(".state-available b").textContent(), "1");
    assert.equal(await team.locator(".state-busy b").textContent(), "1");
    // Occupancy in 15m: daemon 1 staffed 200 s (a1 available t0 … t0 + 200),
    // occupied 0; daemon 2 staffed 300 s, occupied 200 s (busy from t0 + 100
    // to t0 + 300). (0 + 200) / (200 + 300) = 40 % (the mean of 0 and 67 %
    // would be 33 %).
    assert.equal(await team.locator(".team-occupancy").textContent(), "occupancy 40%");

    // Both agents, each from the instance that has it.
    const cells = async (a) => page.locator(`.agent-row[data-agent="${a}"] > span`).allTextContents();
    const [r1, r2] = [await cells("a1"), await cells("a2")];
    assert.deepEqual([r1[0], r1[1], r1[2]], ["a1", "floor", "available"]);
    assert.deepEqual([r2[0], r2[1], r2[2]], ["a2", "floor", "busy"]);
    assert.match(await page.locator(".agent-foot").textContent(), /^2 agents logged in/);

    // The header: two instances, both live; no banner.
    assert.equal(await page.locator("#instances").textContent(), "2 instances");
    assert.equal(await page.locator("#status").textContent(), "LIVE");
    assert.equal(await page.locator("#banner").isVisible(), false);
    await page.screenshot({ path: path.join(artifactDir(), "peers-1080p.png") });
    assert.deepEqual(seen.foreign, []);
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test("a peer that goes away is named in the header and the board turns stale", async () => {
    const { page } = await open();
    await page.locator(tile("B")).waitFor();
    const peer = new URL(d2.base).host;
    await d2.stop();
    d2 = null;
    await page.waitForFunction((host) => {
      const text = document.getElementById("instances").textContent;
      return text.includes(`${host} disconnected`);
    }, peer, { timeout: 10000 });
    assert.equal(await page.locator("#status").textContent(), "STALE");
    assert.match(await page.locator("#banner").textContent(), new RegExp(`${peer}: disconnected`));
    // The last numbers stay on screen, greyed: B is still there.
    assert.equal(await page.locator(tile("B")).count(), 1);
    await page.close();
  });
});
