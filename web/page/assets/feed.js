// ccmon wallboard: the /v1/live WebSocket (docs/wallboard.md, "The live feed").
// Reconnects with exponential backoff and jitter; knows nothing of rendering.
"use strict";

const ccmonFeed = (() => {
  /**
   * The WebSocket URL of the live feed for a page at `pageUrl`: same host and
   * path prefix, ws: under http:, wss: under https:; the viewer token (if any)
   * as `?token=`, since browsers cannot set headers on a WebSocket. null when
   * the page has no server origin (opened from file://).
   */
  function liveUrl(pageUrl, token) {
    const page = new URL(pageUrl);
    if (page.protocol !== "http:" && page.protocol !== "https:") return null;
    const url = new URL("v1/live", page);
    url.protocol = page.protocol === "https:" ? "wss:" : "ws:";
    url.search = "";
    url.hash = "";
    if (token) url.searchParams.set("token", token);
    return url.href;
  }

  /**
   * The live feed of another ccmond instance (a `peers` value): its base URL
   * (http: or https:, with any path prefix) + v1/live, ws: or wss: to match,
   * with the same token. null for anything else.
   */
  function peerLiveUrl(base, token) {
    let url;
    try {
      url = new URL(base.endsWith("/") ? base : `${base}/`);
    } catch {
      return null;
    }
    return liveUrl(url.href, token);
  }

  /**
   * Delay before reconnect attempt `attempt` (0-based): exponential from
   * `initialMs`, capped at `maxMs`, with "equal jitter" (half fixed, half
   * random) so that a wall of TVs does not reconnect in lockstep after a
   * daemon restart (AWS Architecture Blog, "Exponential Backoff And Jitter").
   */
  function backoffDelay(attempt, { initialMs = 500, maxMs = 30000 } = {}, random = Math.random) {
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
    return ceiling / 2 + random() * (ceiling / 2);
  }

  /**
   * A self-reconnecting live feed. Callbacks:
   * - onMessage(object): each parsed JSON message;
   * - onStatus({state, retryAt, attempt, error}): state is "connecting",
   *   "open", "waiting" (before a retry; retryAt is a performance.now() time)
   *   or "unavailable" (no server origin: nothing to connect to); `error`
   *   is the server's close reason, if it gave one ("unauthorized").
   * The attempt counter resets only after a message arrives, so a server
   * that accepts and at once closes still backs off.
   */
  class LiveFeed {
    constructor(url, { onMessage, onStatus, backoff = {} }) {
      this.url = url;
      this.onMessage = onMessage;
      this.onStatus = onStatus;
      this.backoff = backoff;
      this.attempt = 0;
      this.socket = null;
      this.timer = null;
      this.stopped = false;
    }

    start() {
      if (!this.url) {
        this.onStatus({ state: "unavailable", attempt: 0 });
        return;
      }
      this.connect();
    }

    stop() {
      this.stopped = true;
      clearTimeout(this.timer);
      if (this.socket) this.socket.close();
    }

    connect() {
      this.onStatus({ state: "connecting", attempt: this.attempt });
      let socket;
      try {
        socket = new WebSocket(this.url);
      } catch (error) {
        this.retry(String(error));
        return;
      }
      this.socket = socket;
      socket.onopen = () => this.onStatus({ state: "open", attempt: this.attempt });
      socket.onmessage = (event) => {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch (error) {
          console.warn("ccmon wallboard: unreadable live message", error);
          return;
        }
        this.attempt = 0;
        this.onMessage(message);
      };
      socket.onclose = (event) => {
        if (this.socket !== socket) return;
        this.socket = null;
        this.retry(event.reason);
      };
    }

    retry(error) {
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt, this.backoff);
      this.attempt += 1;
      this.onStatus({ state: "waiting", retryAt: performance.now() + delay, attempt: this.attempt, error });
      this.timer = setTimeout(() => this.connect(), delay);
    }
  }

  return { liveUrl, peerLiveUrl, backoffDelay, LiveFeed };
})();
