// The documentation's screenshot (docs/wallboard-1080p.png): a real ccmond in
// event-clock mode fed a simulated morning by ccmon-sim, its own page in
// chromium at 1920x1080. Not a test; run it by hand after a build:
//   cd tests/browser && TZ=Europe/Paris CCMOND=$PWD/../../build/release/server/ccmond \
//     CCMON_SIM=$PWD/../../build/release/tools/sim/ccmon-sim node screenshot.mjs OUT.png
// (TZ: the header clock shows the browser's local time, here the data's zone.)
import { execFileSync } from "node:child_process";
import { launch } from "./support/browser.mjs";
import { Daemon } from "./support/ccmond.mjs";

const out = process.argv[2] || "wallboard-1080p.png";
const sim = process.env.CCMON_SIM;
if (!sim) throw new Error("CCMON_SIM is not set: the path of ccmon-sim");

const CONFIG = `
server:
  clock: event
kpis:
  time_zone: Europe/Paris
`;

// 07:00 to 10:40 Paris time (CET) on a Monday, 40 agents, 4 queues.
const events = execFileSync(sim, ["--out", "-", "--seed", "3", "--start", "2026-03-02T06:00:00Z",
  "--duration", "3h40m", "--agents", "40"], { maxBuffer: 1 << 30 }).toString().trim().split("\n");
const daemon = await Daemon.start({ config: CONFIG });
try {
  for (let i = 0; i < events.length; i += 2000) {
    const res = await fetch(`${daemon.base}/v1/events`, {
      method: "POST",
      headers: { "Content-Type": "application/x-ndjson" },
      body: events.slice(i, i + 2000).join("\n") + "\n",
    });
    if (res.status !== 200) throw new Error(`events refused: ${res.status} ${await res.text()}`);
  }
  const browser = await launch();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1920, height: 1080 });
  // stale=0: in event-clock mode `now` moves only with events.
  await page.goto(`${daemon.base}/?title=Contact%20center%20%E2%80%94%20morning&stale=0&sort=sla`);
  await page.locator(".tile").first().waitFor();
  await page.locator(".agent-row[data-agent]").first().waitFor();
  await page.screenshot({ path: out });
  await browser.close();
  console.log(`${out}: ${events.length} events`);
} finally {
  await daemon.stop();
}
