// The page served from web/page/ under a made-up origin, with /v1/live played
// by the test through playwright's WebSocket routing: the page's side of the
// feed contract, tested without a daemon. Nothing reaches the network.
import fs from "node:fs";
import path from "node:path";
import { PAGE_DIR, guard } from "./browser.mjs";

export const ORIGIN = "http://wallboard.test";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/**
 * Opens `/?query` in a new page of `context`. Each WebSocket the page opens
 * to /v1/live is pushed to `sockets` and handed to `onSocket` (default: send
 * `firstState()` if given). Returns { page, seen, sockets }.
 */
export async function openBoard(context, query, { firstState, onSocket, size } = {}) {
  const page = await context.newPage();
  if (size) await page.setViewportSize({ width: size.width, height: size.height });
  const seen = await guard(page, (url) => url.startsWith(`${ORIGIN}/`) || url.startsWith("ws://wallboard.test/"));
  await page.route(`${ORIGIN}/**`, (route) => {
    const p = new URL(route.request().url()).pathname;
    const file = path.join(PAGE_DIR, p === "/" ? "index.html" : p);
    if (!file.startsWith(PAGE_DIR + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: "" });
    return route.fulfill({ status: 200, contentType: TYPES[path.extname(file)], body: fs.readFileSync(file) });
  });
  const sockets = [];
  await page.routeWebSocket(/^ws:\/\/wallboard\.test\/v1\/live/, (ws) => {
    sockets.push(ws);
    if (onSocket) onSocket(ws, sockets.length);
    else if (firstState) ws.send(JSON.stringify(firstState()));
  });
  await page.goto(`${ORIGIN}/${query ? `?${query}` : ""}`);
  return { page, seen, sockets };
}

/** The text of a tile's KPI row value (`kpi` key), or of a big number. */
export function tileValue(page, queue, channel, kpi) {
  const tile = `.tile[data-queue="${queue}"][data-channel="${channel}"]`;
  return page.locator(`${tile} [data-kpi="${kpi}"] .kpi-value, ${tile} [data-kpi="${kpi}"] .big-value`).textContent();
}
