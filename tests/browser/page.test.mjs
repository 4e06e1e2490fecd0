// The page against the feed contract of docs/wallboard.md, with the feed
// played by the test (support/played.mjs): values, SLA colours, ticking,
// staleness, reconnects, URL filters, rotation, and screenshots at 1080p and
// 4K. Expected texts are worked out by hand from support/fixture.mjs.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { SIZES, artifactDir, launch } from "./support/browser.mjs";
import { bigState, state, slaRule } from "./support/fixture.mjs";
import { openBoard, tileValue } from "./support/played.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const T = { timeout: 60000 };

/** Fails unless the page had no console error and asked no other origin. */
function clean(seen) {
  assert.deepEqual(seen.foreign, []);
  assert.deepEqual(seen.errors, []);
}

async function tiles(page) {
  return page.locator(".tile").evaluateAll((els) => els.map((e) => `${e.dataset.queue}/${e.dataset.channel}:${e.dataset.sla}`));
}

describe("tiles", () => {
  test("show the feed's values, targets and SLA states", T, async () => {
    const { page, seen } = await openBoard(browser.context, "", { firstState: state });
    await page.locator(".tile").first().waitFor();
    // Feed order, colours from the rules: 0.5 < 0.8 breached; 0.84 is within
    // 10 % of 0.8 (0.8 + 0.08 = 0.88) so at risk; 1 is fine; no rule on billing.
    assert.deepEqual(await tiles(page), ["billing/email:ok", "sales/voice:breached", "support/chat:risk", "support/voice:ok"]);
    assert.equal(await tileValue(page, "sales", "voice", "contacts_waiting"), "3");
    assert.equal(await tileValue(page, "sales", "voice", "service_level_ratio"), "50%");
    assert.equal(await tileValue(page, "sales", "voice", "abandon_ratio"), "18%"); // 0.1818
    assert.equal(await tileValue(page, "sales", "voice", "average_speed_of_answer_seconds"), "42s"); // 42.4
    assert.equal(await tileValue(page, "sales", "voice", "average_handle_time_seconds"), "4:05"); // 245 s
    assert.equal(await tileValue(page, "sales", "voice", "csat_ratio"), "90%");
    assert.equal(await tileValue(page, "sales", "voice", "nps"), "35");
    assert.equal(await tileValue(page, "billing", "email", "average_first_response_seconds"), "30:00"); // 1800 s
    assert.equal(await tileValue(page, "support", "chat", "average_first_response_seconds"), "47s");
    // Voice has no first response row; undefined values show a dash, never 0.
    assert.equal(await page.locator('.tile[data-channel="voice"] [data-kpi="average_first_response_seconds"]').count(), 0);
    assert.equal(await tileValue(page, "support", "chat", "abandon_ratio"), "–");
    // The rule's target stands next to its KPI.
    assert.equal(await page.locator('.tile[data-queue="sales"] [data-kpi="service_level_ratio"] .target').textContent(), "≥ 80%");
    assert.equal(await page.locator('.tile[data-queue="sales"] .tile-badge').textContent(), "BREACHED");
    assert.equal(await page.locator("#banner").isVisible(), false);
    assert.equal(await page.locator("#status").textContent(), "LIVE");
    clean(seen);
    await page.close();
  });

  test("sort=sla puts breached tiles first, then those at risk", T, async () => {
    const { page, seen } = await openBoard(browser.context, "sort=sla", { firstState: state });
    await page.locator(".tile").first().waitFor();
    assert.deepEqual(await tiles(page), ["sales/voice:breached", "support/chat:risk", "billing/email:ok", "support/voice:ok"]);
    clean(seen);
    await page.close();
  });

  test("the daemon's at_risk overrides the page's own margin", T, async () => {
    const s = state();
    s.sla = [slaRule("support", "chat", { value: 0.84, at_risk: false }), slaRule("support", "voice", { value: 1, at_risk: true })];
    const { page } = await openBoard(browser.context, "", { firstState: () => s });
    await page.locator(".tile").first().waitFor();
    assert.deepEqual(await tiles(page), ["billing/email:ok", "sales/voice:ok", "support/chat:ok", "support/voice:risk"]);
    await page.close();
  });

  test("oldest waiting ticks every second with no new message", T, async () => {
    const { page, seen } = await openBoard(browser.context, "", { firstState: state });
    const oldest = () => tileValue(page, "sales", "voice", "oldest_waiting_seconds");
    await page.locator(".tile").first().waitFor();
    const seconds = (text) => text.split(":").reduce((a, b) => a * 60 + Number(b), 0);
    const first = seconds(await oldest()); // 95 s in the feed, plus the time since it arrived
    assert.ok(first >= 95 && first <= 97, String(first));
    await page.waitForFunction((f) => {
      const el = document.querySelector('.tile[data-queue="sales"][data-channel="voice"] [data-kpi="oldest_waiting_seconds"] .big-value');
      const [m, s] = el.textContent.split(":").map(Number);
      return m * 60 + s >= f + 2;
    }, first, { timeout: 4000 });
    // Nobody waits on support/voice: it stays at 0:00.
    assert.equal(await tileValue(page, "support", "voice", "oldest_waiting_seconds"), "0:00");
    clean(seen);
    await page.close();
  });

  test("an update changes a value within 2 s; a breach turns red and recovery back", T, async () => {
    const { page, sockets, seen } = await openBoard(browser.context, "", { firstState: state });
    await page.locator(".tile").first().waitFor();
    const s = state();
    // As the daemon sends it: only the tile and the rule that changed.
    const supportVoice = s.series.find((x) => x.queue === "support" && x.channel === "voice");
    const update = {
      type: "update",
      now: "2026-11-30T10:00:01.000Z",
      series: [{ ...supportVoice, live: { ...supportVoice.live, contacts_waiting: 7, oldest_waiting_seconds: 130 } }],
      sla: [slaRule("support", "voice", { kpi: "oldest_waiting_seconds", window: null, value: 130, target: 120, op: "<=", breached: true })],
    };
    const tiles = await page.locator(".tile").count();
    sockets[0].send(JSON.stringify(update));
    await page.waitForFunction(() => document.querySelector('.tile[data-queue="support"][data-channel="voice"]')?.dataset.sla === "breached", null, { timeout: 2000 });
    assert.equal(await tileValue(page, "support", "voice", "contacts_waiting"), "7");
    assert.equal(await page.locator('.tile[data-queue="support"][data-channel="voice"] [data-kpi="oldest_waiting_seconds"] .target').textContent(), "≤ 2:00");
    // The other tiles, and the sections the update left out, are kept.
    assert.equal(await page.locator(".tile").count(), tiles);
    assert.equal(await page.locator(".team").count(), 2);
    // Recovery: the same rule (same sla, queue, channel), no longer breached.
    sockets[0].send(JSON.stringify({ type: "update", now: "2026-11-30T10:00:02.000Z",
      sla: [slaRule("support", "voice", { kpi: "oldest_waiting_seconds", window: null, value: 60, target: 120, op: "<=" })] }));
    await page.waitForFunction(() => document.querySelector('.tile[data-queue="support"][data-channel="voice"]')?.dataset.sla === "ok", null, { timeout: 2000 });
    // A series that went (`removed`) loses its tile.
    sockets[0].send(JSON.stringify({ type: "update", now: "2026-11-30T10:00:03.000Z",
      removed: { series: [{ queue: "support", channel: "voice" }] } }));
    await page.locator('.tile[data-queue="support"][data-channel="voice"]').waitFor({ state: "detached", timeout: 2000 });
    assert.equal(await page.locator(".tile").count(), tiles - 1);
    clean(seen);
    await page.close();
  });
});

describe("staleness", () => {
  test("data whose now stops advancing turns STALE, and live again when it moves", T, async () => {
    const { page, sockets, seen } = await openBoard(browser.context, "stale=2", { firstState: state });
    await page.locator(".tile").first().waitFor();
    assert.equal(await page.locator("#banner").isVisible(), false);
    await page.locator("#banner").waitFor({ state: "visible", timeout: 5000 });
    assert.match(await page.locator("#banner").textContent(), /^STALE — no new data for \d+ s · last data /);
    assert.equal(await page.evaluate(() => document.body.classList.contains("is-stale")), true);
    // A stale board stops ticking: old numbers are not extrapolated as live.
    const frozen = await tileValue(page, "sales", "voice", "oldest_waiting_seconds");
    assert.equal(frozen, "1:35");
    sockets[0].send(JSON.stringify({ type: "update", now: "2026-11-30T10:00:05.000Z" }));
    await page.locator("#banner").waitFor({ state: "hidden", timeout: 2000 });
    assert.equal(await page.locator("#status").textContent(), "LIVE");
    clean(seen);
    await page.close();
  });

  test("a stale input feed named by the daemon shows in the banner", T, async () => {
    const s = state({ feeds: [{ feed: "asterisk/pbx1", last_event: "2026-11-30T09:50:00.000Z", stale: true }] });
    const { page, seen } = await openBoard(browser.context, "", { firstState: () => s });
    await page.locator(".tile").first().waitFor();
    assert.match(await page.locator("#banner").textContent(), /^STALE — no events from asterisk\/pbx1/);
    clean(seen);
    await page.close();
  });

  test("a closed feed shows STALE, then reconnects with the token and goes live", T, async () => {
    let urls = [];
    const { page, sockets, seen } = await openBoard(browser.context, "token=tv%2Fsecret&stale=0", {
      onSocket: (ws, n) => {
        urls.push(ws.url());
        if (n === 1) ws.send(JSON.stringify(state()));
        if (n === 2) ws.send(JSON.stringify(state({ now: "2026-11-30T10:00:09.000Z" })));
      },
    });
    await page.locator(".tile").first().waitFor();
    // Every text the banner takes is recorded in the page: the first retry
    // (250-500 ms after the close) replaces the text and hides the banner
    // sooner than a test polling from outside can read it on a loaded machine.
    await page.evaluate(() => {
      const banner = document.getElementById("banner");
      window.bannerTexts = [];
      new MutationObserver(() => window.bannerTexts.push(banner.hidden ? "" : banner.textContent))
        .observe(banner, { childList: true, characterData: true, subtree: true, attributes: true });
    });
    await sockets[0].close({ code: 1001, reason: "going away" });
    // First retry after 250–500 ms (equal jitter on 500 ms): shown, then hidden.
    await page.waitForFunction(() => window.bannerTexts.some((t) => t) && document.getElementById("banner").hidden, null, { timeout: 5000 });
    // The server's close reason is shown: "unauthorized" tells a TV's owner to check the token.
    const texts = await page.evaluate(() => window.bannerTexts);
    assert.ok(texts.some((t) => /^STALE — disconnected: going away — retrying in \d+ s/.test(t)), JSON.stringify(texts));
    assert.equal(sockets.length, 2);
    assert.equal(await page.locator("#clock").textContent(), `data ${await page.evaluate(() => new Date(Date.parse("2026-11-30T10:00:09Z")).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }))}`);
    // The viewer token travels as a query parameter, encoded.
    assert.deepEqual(urls, Array(2).fill("ws://wallboard.test/v1/live?token=tv%2Fsecret"));
    assert.deepEqual(seen.foreign, []);
    await page.close();
  });
});

describe("URL parameters", () => {
  test("queue and channel filters, with globs", T, async () => {
    const { page } = await openBoard(browser.context, "queue=support&channel=v*", { firstState: state });
    await page.locator(".tile").first().waitFor();
    assert.deepEqual(await tiles(page), ["support/voice:ok"]);
    assert.equal(await page.locator("#filters").textContent(), "queue support · channel v*");
    await page.close();
  });

  test("team filter on teams and agents; offline agents only on request", T, async () => {
    const { page } = await openBoard(browser.context, "team=north", { firstState: state });
    await page.locator(".agent-row[data-agent]").first().waitFor();
    assert.deepEqual(await page.locator(".team").evaluateAll((e) => e.map((x) => x.dataset.team)), ["north"]);
    // Busy first, then available; erin is offline and hidden.
    assert.deepEqual(await page.locator(".agent-row[data-agent]").evaluateAll((e) => e.map((x) => x.dataset.agent)), ["alice", "bob"]);
    await page.close();
    const all = await openBoard(browser.context, "offline=1", { firstState: state });
    await all.page.locator(".agent-row[data-agent]").first().waitFor();
    assert.deepEqual(await all.page.locator(".agent-row[data-agent]").evaluateAll((e) => e.map((x) => x.dataset.agent)),
      ["alice", "dave", "bob", "carol", "erin"]);
    await all.page.close();
  });

  test("window chooses the KPI window; the buttons rewrite the URL", T, async () => {
    const { page } = await openBoard(browser.context, "window=5m", { firstState: state });
    await page.locator(".tile").first().waitFor();
    assert.match(await page.locator('.tile[data-queue="sales"] .tile-foot').textContent(), /^offered 1 ·/);
    await page.click('#windows button[data-window="today"]');
    assert.match(await page.locator('.tile[data-queue="sales"] .tile-foot').textContent(), /^offered 200 ·/);
    assert.equal(new URL(page.url()).searchParams.get("window"), "today");
    await page.close();
  });

  test("rotation shows each saved view in turn", T, async () => {
    const { page } = await openBoard(browser.context, `rotate=1&view=${encodeURIComponent("queue=sales")}&view=${encodeURIComponent("queue=billing&theme=light")}`, { firstState: state });
    await page.waitForFunction(() => [...document.querySelectorAll(".tile")].map((t) => t.dataset.queue).join() === "sales");
    await page.waitForFunction(() => [...document.querySelectorAll(".tile")].map((t) => t.dataset.queue).join() === "billing" &&
      document.documentElement.dataset.theme === "light", null, { timeout: 3000 });
    assert.match(await page.locator("#filters").textContent(), /view 2\/2/);
    await page.close();
  });
});

describe("agents and intervals", () => {
  test("agent grid: state, time in state, contact and today's numbers", T, async () => {
    const { page } = await openBoard(browser.context, "", { firstState: state });
    await page.locator('.agent-row[data-agent="alice"]').waitFor();
    const cells = await page.locator('.agent-row[data-agent="alice"] > span').allTextContents();
    assert.deepEqual([cells[0], cells[1], cells[2], cells[4], cells[6], cells[7], cells[8]],
      ["alice", "north", "busy", "sales · voice", "12", "4:12", "82%"]); // AHT 251.5 s rounds to 4:12
    // In state since 09:58:00 at now 10:00:00: 2:00 (2:01 once a second passed);
    // the contact was answered at 09:58:00 too.
    assert.match(cells[3], /^2:0[01]$/);
    assert.match(cells[5], /^2:0[01]$/);
    await page.close();
  });

  test("the interval chart draws one bar group per interval and the two lines", T, async () => {
    const { page } = await openBoard(browser.context, "", { firstState: state });
    await page.locator("#intervals-svg rect.bar-offered").first().waitFor();
    // Nine 15-minute intervals, 08:00 to 10:00, plus the legend's key.
    assert.equal(await page.locator("#intervals-svg rect.bar-offered:not(.legend-key)").count(), 9);
    assert.equal(await page.locator("#intervals-svg polyline.line-sl").count(), 1);
    assert.equal(await page.locator("#intervals-svg polyline.line-asa").count(), 1);
    assert.match(await page.locator("#intervals-title").textContent(), /15-minute interval \(Europe\/Paris\)/);
    await page.close();
  });
});

describe("screenshots", () => {
  for (const size of SIZES) {
    test(`${size.width}×${size.height}: the whole board fits, dark and light`, T, async () => {
      for (const theme of ["dark", "light"]) {
        const { page, seen } = await openBoard(browser.context, `theme=${theme}&sort=sla&title=Played%20feed`, { firstState: state, size });
        await page.locator("#intervals-svg rect.bar-offered").first().waitFor();
        const overflow = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
        assert.deepEqual(overflow, [size.width, size.height]);
        await page.screenshot({ path: path.join(artifactDir(), `played-${size.name}-${theme}.png`) });
        clean(seen);
        await page.close();
      }
    });
  }
  for (const size of SIZES) {
    test(`${size.width}×${size.height}: a large center (24 tiles, 80 agents) still fits; the agent grid pages`, T, async () => {
      const { page, seen } = await openBoard(browser.context, "sort=sla&title=Large%20center", { firstState: () => bigState(), size });
      await page.locator(".agent-row[data-agent]").first().waitFor();
      assert.equal(await page.locator(".tile").count(), 24);
      const overflow = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
      assert.deepEqual(overflow, [size.width, size.height]);
      // Every tile lies inside the tiles panel: none is cut off below it.
      const outside = await page.evaluate(() => {
        const box = document.getElementById("tiles").getBoundingClientRect();
        return [...document.querySelectorAll(".tile")].filter((t) => t.getBoundingClientRect().bottom > box.bottom + 1).length;
      });
      assert.equal(outside, 0);
      // 80 agents logged in (none offline) do not fit one screen: the grid pages.
      assert.match(await page.locator(".agent-foot").textContent(), /^80 agents logged in · page 1\/\d+$/);
      await page.screenshot({ path: path.join(artifactDir(), `played-large-${size.name}.png`) });
      clean(seen);
      await page.close();
    });
  }
});
