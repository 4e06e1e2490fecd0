// The page on its own, opened from file:// in Debian's chromium: it must load
// without errors, ask nothing of any other origin, and say plainly that it
// has no live data (it cannot connect: there is no server). Runs without a
// daemon, so it guards the page today; docs/wallboard.md, "Browser tests".
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { PAGE_DIR, SIZES, artifactDir, guard, launch } from "./support/browser.mjs";

const pageUrl = pathToFileURL(path.join(PAGE_DIR, "index.html")).href;
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const size of SIZES) {
  for (const theme of ["dark", "light"]) {
    test(`file:// at ${size.width}×${size.height}, ${theme}: stale state, no errors, no other origin`, { timeout: 60000 }, async () => {
      const page = await browser.context.newPage();
      // Only the page's own files may be read; any other URL, of any scheme, is a leak.
      const seen = await guard(page, (url) => url.startsWith(pathToFileURL(PAGE_DIR).href + "/"));
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.goto(`${pageUrl}?theme=${theme}&title=Self-check`);
      // The scripts ran: they rewrote the static banner with the reason.
      await page.waitForFunction(() => window.ccmonWallboard !== undefined);
      const banner = page.locator("#banner");
      assert.equal(await banner.isVisible(), true);
      assert.match(await banner.textContent(), /^STALE — no server/);
      assert.equal(await page.locator("#status").textContent(), "STALE");
      assert.equal(await page.evaluate(() => document.body.classList.contains("is-stale")), true);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
      assert.equal(await page.locator("#title").textContent(), "Self-check");
      assert.equal(await page.locator(".tile").count(), 0, "no tile without data");
      // The page fills the screen exactly: nothing scrolls on a wall.
      const overflow = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
      assert.deepEqual(overflow, [size.width, size.height]);
      await page.screenshot({ path: path.join(artifactDir(), `selfcheck-${size.name}-${theme}.png`) });
      // The page, its stylesheet and seven scripts came from file: (the icon
      // too, unless cached), and nothing else was asked for.
      const asked = seen.requests.map((u) => path.relative(PAGE_DIR, new URL(u).pathname)).sort();
      for (const file of ["index.html", "assets/wallboard.css", "assets/format.js", "assets/view.js",
        "assets/feed.js", "assets/merge.js", "assets/aggregate.js", "assets/chart.js", "assets/wallboard.js"]) {
        assert.ok(asked.includes(file), `${file} not loaded: ${asked.join(", ")}`);
      }
      assert.deepEqual(seen.foreign, []);
      assert.deepEqual(seen.errors, []);
      await page.close();
    });
  }
}
