// Debian's chromium driven by playwright-core, with the flags this machine
// needs (docs/wallboard.md, "Browser tests"), and the checks every browser
// test wants: console errors and requests that leave the page's origin.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// A missing driver is a setup problem with a known fix: say so.
const { chromium } = await import("playwright-core").catch((error) => {
  throw new Error(`playwright-core is missing (${error.message}): run scripts/install-deps, ` +
    "which runs npm ci in tests/browser");
});

export const CHROMIUM = process.env.CCMON_CHROMIUM || "/usr/bin/chromium";

// Without the background-networking flags chromium calls home, and a closed
// network refuses it; QUIC and the GPU are off for a headless sandbox-less run.
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Where screenshots go: the build directory under ctest, else a temporary one. */
export function artifactDir() {
  const base = process.env.CCMON_BUILD_DIR || os.tmpdir();
  const dir = path.join(base, "test-artifacts", "browser");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Launches chromium with a fresh --user-data-dir (removed by close()) and
 * returns { context, close }.
 */
export async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (scripts/install-deps)`);
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ccmon-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1920, height: 1080 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Watches a page: console errors, page errors, and every request. Requests
 * to an origin other than `origin` are aborted and recorded; so are those
 * `isAllowed` rejects (e.g. anything but file: for a file:// page).
 * Returns { errors, foreign, requests }.
 */
export async function guard(page, isAllowed) {
  const seen = { errors: [], foreign: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error") seen.errors.push(m.text());
  });
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  await page.context().route("**/*", (route) => {
    const url = route.request().url();
    seen.requests.push(url);
    if (isAllowed(url)) return route.fallback();
    seen.foreign.push(url);
    return route.abort("blockedbyclient");
  });
  return seen;
}

export { PAGE_DIR } from "./paths.mjs";

export const SIZES = [
  { name: "1080p", width: 1920, height: 1080 },
  { name: "4k", width: 3840, height: 2160 },
];
