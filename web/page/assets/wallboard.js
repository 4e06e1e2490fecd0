// ccmon wallboard: keeps the live state, decides what is stale and draws the
// panels. The feed contract is docs/wallboard.md; values are never computed
// here except the seconds that tick between two updates.
"use strict";

(() => {
  const fmt = ccmonFormat;
  const STATES = ["available", "busy", "wrap_up", "away", "offline"];
  const STATE_LABEL = { available: "available", busy: "busy", wrap_up: "wrap-up", away: "away", offline: "offline" };
  const AGENT_PAGE_SECONDS = 10;

  // --- live state ------------------------------------------------------
  const live = {
    data: null, // the merged feed document (of every instance, with `peers`)
    nowMs: NaN, // data.now as epoch ms
    nowSeenAt: 0, // performance.now() when data.now last changed
    status: { state: "connecting", attempt: 0 }, // this daemon's feed
    build: null, // the daemon build seen first: a different one reloads the page
    feeds: [], // one per instance, this daemon first: {label, url, data, nowMs, nowSeenAt, status}
  };

  function newFeedState(label, url) {
    return { label, url, data: null, nowMs: NaN, nowSeenAt: 0, status: { state: "connecting", attempt: 0 } };
  }

  /**
   * Applies one message of feed `i` (ccmonMerge: "state" replaces everything,
   * "update" its changes) to that feed's own state, then merges the feeds
   * (ccmonAggregate; one feed is shown as it is).
   */
  function apply(i, message) {
    const f = live.feeds[i];
    const next = ccmonMerge.applyMessage(f.data, message);
    if (!next) return; // an update before any state, or an unknown type: nothing to apply it to
    f.data = next;
    if (i === 0 && f.data.build) {
      if (live.build === null) live.build = f.data.build;
      else if (live.build !== f.data.build) location.reload(); // the daemon was upgraded
    }
    const feedNow = Date.parse(f.data.now);
    if (feedNow !== f.nowMs) {
      f.nowMs = feedNow;
      f.nowSeenAt = performance.now();
    }
    live.data = live.feeds.length === 1 ? f.data : ccmonAggregate.merge(live.feeds.map((x) => x.data));
    const nowMs = Date.parse(live.data.now);
    if (nowMs !== live.nowMs) {
      live.nowMs = nowMs;
      live.nowSeenAt = performance.now();
    }
    render();
  }

  /**
   * Whether one feed's numbers may be shown as live, and why not. Data is
   * stale when the feed is not open, when `now` has not advanced for
   * view.staleSeconds of page time (measured by the page's own monotonic
   * clock, so a TV's wrong wall clock does not matter), or when the daemon
   * reports a stale input feed.
   */
  function feedStaleness(f, view) {
    const t = performance.now();
    if (!f.data) {
      return { stale: true, reason: f.status.state === "unavailable" ? "no server: open this page from ccmond" : "connecting…" };
    }
    if (f.status.state !== "open") {
      const retry = f.status.retryAt ? ` — retrying in ${Math.max(0, Math.ceil((f.status.retryAt - t) / 1000))} s` : "";
      const why = f.status.error ? `: ${f.status.error}` : "";
      return { stale: true, reason: `disconnected${why}${retry}` };
    }
    const age = (t - f.nowSeenAt) / 1000;
    if (view.staleSeconds > 0 && age > view.staleSeconds) {
      return { stale: true, reason: `no new data for ${Math.floor(age)} s` };
    }
    const feeds = (f.data.feeds || []).filter((x) => x.stale);
    if (feeds.length) {
      return { stale: true, reason: `no events from ${feeds.map((x) => x.feed).join(", ")}` };
    }
    return { stale: false, reason: "" };
  }

  /**
   * The board's staleness: its one feed's; with peers, stale when any
   * instance is (a sum missing an instance is not the center's number), the
   * reason naming each stale instance.
   */
  function staleness(view) {
    if (live.feeds.length <= 1) return live.feeds.length ? feedStaleness(live.feeds[0], view) : { stale: true, reason: "connecting…" };
    const each = live.feeds.map((f) => ({ f, st: feedStaleness(f, view) }));
    const bad = each.filter((e) => e.st.stale);
    return { stale: bad.length > 0, reason: bad.map((e) => `${e.f.label}: ${e.st.reason}`).join("; "), each };
  }

  /** Seconds to add to values relative to data.now: the time since it arrived, 0 when stale. */
  function elapsed(stale) {
    return stale ? 0 : Math.max(0, (performance.now() - live.nowSeenAt) / 1000);
  }

  // --- DOM helpers -----------------------------------------------------
  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v === null || v === undefined) continue;
      if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
    return node;
  }

  const $ = (id) => document.getElementById(id);

  // --- SLA -------------------------------------------------------------
  const SEVERITY = { ok: 0, risk: 1, breached: 2 };

  /**
   * "breached", "risk" or "ok" for one SLA rule state. At risk comes from the
   * daemon (`at_risk`) when it says; otherwise the page judges it: failing
   * but not yet breached (a pending `for`), or within view.risk × |target| of
   * the target on the good side.
   */
  function ruleState(rule, view) {
    if (rule.breached) return "breached";
    if (typeof rule.at_risk === "boolean") return rule.at_risk ? "risk" : "ok";
    if (rule.value === null || rule.value === undefined) return "ok";
    const margin = view.risk * Math.abs(rule.target);
    switch (rule.op) {
      case ">=": case ">": return rule.value < rule.target + margin ? "risk" : "ok";
      case "<=": case "<": return rule.value > rule.target - margin ? "risk" : "ok";
      default: return "ok";
    }
  }

  function worst(states) {
    return states.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), "ok");
  }

  // --- tiles -----------------------------------------------------------
  /** The KPI rows of a tile: [kpi key, label, short label for small tiles, formatter]. */
  function tileRows(series, w) {
    const rows = [
      ["service_level_ratio", `SL ${fmt.seconds(series.service_level_threshold_seconds)}`, "SL", fmt.percent],
      ["abandon_ratio", "Abandoned", "Aband.", fmt.percent],
      ["average_speed_of_answer_seconds", "ASA", "ASA", fmt.seconds],
      ["average_handle_time_seconds", "AHT", "AHT", fmt.seconds],
    ];
    if (series.channel !== "voice") rows.push(["average_first_response_seconds", "First response", "1st resp.", fmt.seconds]);
    if (w && w.csat_ratio !== null && w.csat_ratio !== undefined) rows.push(["csat_ratio", "CSAT", "CSAT", fmt.percent]);
    if (w && w.nps !== null && w.nps !== undefined) rows.push(["nps", "NPS", "NPS", (v) => fmt.number(v)]);
    return rows;
  }

  function renderTile(series, rules, view, t) {
    const w = (series.windows || {})[view.window];
    const live_ = series.live || {};
    const rulesFor = (kpi) => rules.filter((r) => r.kpi === kpi);
    const targetText = (kpi) =>
      rulesFor(kpi).map((r) => fmt.target(kpi, r.op, r.target) + (r.window && r.window !== view.window ? ` (${r.window})` : "")).join(" ");
    const rowState = (kpi) => worst(rulesFor(kpi).map((r) => ruleState(r, view)));
    const tileState = worst(rules.map((r) => ruleState(r, view)));

    const waiting = live_.contacts_waiting ?? 0;
    const oldest = waiting > 0 ? (live_.oldest_waiting_seconds ?? 0) + t : 0;
    const big = (kpi, label, value, cls) =>
      h("div", { class: `big sla-${rowState(kpi)} ${cls}`, "data-kpi": kpi },
        h("div", { class: "big-value" }, value),
        h("div", { class: "big-label" }, label, h("span", { class: "target" }, targetText(kpi))));
    const rows = tileRows(series, w).map(([kpi, label, short, f]) =>
      h("div", { class: `kpi sla-${rowState(kpi)}`, "data-kpi": kpi },
        h("span", { class: "kpi-label" }, h("span", { class: "long" }, label), h("span", { class: "short" }, short)),
        h("span", { class: "kpi-value" }, w ? f(w[kpi]) : fmt.DASH),
        h("span", { class: "target" }, targetText(kpi))));
    return h("section", { class: `tile sla-${tileState}`, "data-queue": series.queue, "data-channel": series.channel, "data-sla": tileState },
      h("header", { class: "tile-head" },
        h("span", { class: "tile-queue" }, series.queue),
        h("span", { class: "tile-channel" }, series.channel),
        tileState !== "ok" ? h("span", { class: "tile-badge" }, tileState === "breached" ? "BREACHED" : "AT RISK") : null),
      h("div", { class: "bigs" },
        big("contacts_waiting", "waiting", String(waiting), "waiting"),
        big("oldest_waiting_seconds", "oldest", fmt.duration(oldest), "oldest")),
      h("div", { class: "kpis" }, rows),
      h("footer", { class: "tile-foot" },
        w ? `offered ${w.offered} · answered ${w.answered} · abandoned ${w.abandoned}` : `window ${view.window} not configured`,
        ` · active ${live_.contacts_active ?? 0}`));
  }

  function renderTiles(view, t) {
    const data = live.data;
    const panel = $("tiles");
    if (!data) {
      panel.replaceChildren(h("p", { class: "placeholder" }, "waiting for the first update…"));
      return;
    }
    const sla = data.sla || [];
    let items = (data.series || [])
      .filter((s) => ccmonView.seriesVisible(view, s.queue, s.channel))
      .map((s) => {
        const rules = sla.filter((r) => r.queue === s.queue && r.channel === s.channel);
        return { s, rules, state: worst(rules.map((r) => ruleState(r, view))) };
      });
    if (view.sort === "sla") items = [...items].sort((a, b) => SEVERITY[b.state] - SEVERITY[a.state]);
    if (!items.length) {
      panel.replaceChildren(h("p", { class: "placeholder" }, "no queue matches this view's filters yet"));
      return;
    }
    panel.replaceChildren(...items.map(({ s, rules }) => renderTile(s, rules, view, t)));
    fitGrid(panel, items.length, 1.5);
  }

  /** Picks the column count that gives `n` cells of aspect ≈ `aspect` the largest size in `box`. */
  function fitGrid(box, n, aspect) {
    const W = box.clientWidth;
    const H = box.clientHeight;
    let best = 1;
    let bestSize = 0;
    for (let cols = 1; cols <= n; cols += 1) {
      const rows = Math.ceil(n / cols);
      const cellW = W / cols;
      const cellH = H / rows;
      const size = Math.min(cellW, cellH * aspect);
      if (size > bestSize) {
        bestSize = size;
        best = cols;
      }
    }
    box.style.setProperty("--cols", String(best));
    box.style.setProperty("--rows", String(Math.ceil(n / best)));
  }

  // --- teams -----------------------------------------------------------
  function renderTeams(view) {
    const data = live.data;
    const teams = data ? (data.teams || []).filter((team) => ccmonView.teamVisible(view, team.team)) : [];
    $("teams").replaceChildren(...teams.map((team) => {
      const w = (team.windows || {})[view.window] || {};
      return h("section", { class: "team", "data-team": team.team },
        h("div", { class: "team-name" }, team.team),
        h("div", { class: "team-states" }, STATES.filter((s) => s !== "offline").map((s) =>
          h("span", { class: `state-count state-${s}`, title: STATE_LABEL[s] },
            h("b", {}, String((team.agents || {})[s] ?? 0)), ` ${STATE_LABEL[s]}`))),
        h("div", { class: "team-occupancy" }, `occupancy ${fmt.percent(w.occupancy_ratio)}`));
    }));
  }

  // --- agents ----------------------------------------------------------
  let agentPage = 0;
  let agentPageAt = 0;

  function renderAgents(view, t) {
    const data = live.data;
    const panel = $("agents");
    const order = { busy: 0, wrap_up: 1, available: 2, away: 3, offline: 4 };
    const since = (iso) => (live.nowMs - Date.parse(iso)) / 1000 + t;
    const agents = (data ? data.agents || [] : [])
      .filter((a) => ccmonView.teamVisible(view, a.team) && (view.offline || a.state !== "offline"))
      .map((a) => ({ a, inState: a.state_since ? since(a.state_since) : null }))
      .sort((x, y) => order[x.a.state] - order[y.a.state] || (y.inState ?? 0) - (x.inState ?? 0) || x.a.agent.localeCompare(y.a.agent));
    const head = h("div", { class: "agent-row agent-head" },
      ["Agent", "Team", "State", "In state", "Queue", "Contact", "Handled", "AHT", "Occ."].map((c) => h("span", {}, c)));
    const rowH = Math.max(1, head.offsetHeight || parseFloat(getComputedStyle(panel).fontSize) * 1.9);
    const perPage = Math.max(1, Math.floor(panel.clientHeight / rowH) - 2);
    const pages = Math.max(1, Math.ceil(agents.length / perPage));
    if (performance.now() - agentPageAt > AGENT_PAGE_SECONDS * 1000) {
      agentPage = (agentPage + 1) % pages;
      agentPageAt = performance.now();
    }
    agentPage %= pages;
    const shown = agents.slice(agentPage * perPage, (agentPage + 1) * perPage);
    const rows = shown.map(({ a, inState }) => {
      const c = a.contact;
      const today = a.today || {};
      return h("div", { class: `agent-row state-${a.state}`, "data-agent": a.agent },
        h("span", { class: "agent-name" }, a.agent),
        h("span", {}, a.team ?? fmt.DASH),
        h("span", { class: "agent-state" }, STATE_LABEL[a.state] || a.state, a.reason ? ` (${a.reason})` : ""),
        h("span", { class: "num" }, inState === null ? fmt.DASH : fmt.duration(inState)),
        h("span", {}, c ? `${c.queue} · ${c.channel}` : fmt.DASH),
        h("span", { class: "num" }, c && c.answered_at ? fmt.duration(since(c.answered_at)) : fmt.DASH),
        h("span", { class: "num" }, fmt.number(today.handled ?? null)),
        h("span", { class: "num" }, fmt.seconds(today.average_handle_time_seconds)),
        h("span", { class: "num" }, fmt.percent(today.occupancy_ratio)));
    });
    const total = data && Number.isInteger(data.agents_total) ? data.agents_total : agents.length;
    const more = data && data.agents && total > data.agents.length ? ` (feed shows ${data.agents.length} of ${total})` : "";
    const foot = h("div", { class: "agent-foot" },
      `${agents.length} agent${agents.length === 1 ? "" : "s"}${view.offline ? "" : " logged in"}${more}`, pages > 1 ? ` · page ${agentPage + 1}/${pages}` : "");
    panel.replaceChildren(head, ...rows, foot);
  }

  // --- intervals -------------------------------------------------------
  let chartKey = "";

  function renderIntervals(view) {
    const data = live.data;
    const box = $("intervals");
    const svg = $("intervals-svg");
    const iv = data && data.intervals;
    const series = iv ? (iv.series || []).filter((s) => ccmonView.seriesVisible(view, s.queue, s.channel)) : [];
    let rows = ccmonChart.aggregate(series);
    const first = rows.findIndex((r) => r.offered > 0 || r.answered > 0 || r.abandoned > 0);
    rows = first < 0 ? [] : rows.slice(Math.min(first, Math.max(0, rows.length - 8)));
    const width = svg.clientWidth;
    const height = svg.clientHeight;
    const font = parseFloat(getComputedStyle(box).fontSize);
    const key = JSON.stringify([Boolean(iv), rows, width, height, font]);
    if (key === chartKey) return;
    chartKey = key;
    const minutes = iv ? Math.round(iv.interval_seconds / 60) : 15;
    $("intervals-title").textContent = `Today by ${minutes}-minute interval${iv && iv.time_zone ? ` (${iv.time_zone})` : ""}`;
    ccmonChart.draw(svg, rows, { width, height, font, empty: iv ? undefined : "no data" });
  }

  // --- header, banner, frame -------------------------------------------
  function renderHeader(view, st) {
    $("title").textContent = view.title || "ccmon";
    $("clock").textContent = live.data ? `data ${fmt.clock(live.nowMs)}` : "no data";
    const status = $("status");
    status.textContent = st.stale ? "STALE" : "LIVE";
    status.className = st.stale ? "status stale" : "status live";
    for (const b of document.querySelectorAll("#windows button")) b.setAttribute("aria-pressed", String(b.dataset.window === view.window));
    const chips = [];
    if (view.queues.length) chips.push(`queue ${view.queues.join(", ")}`);
    if (view.channels.length) chips.push(`channel ${view.channels.join(", ")}`);
    if (view.teams.length) chips.push(`team ${view.teams.join(", ")}`);
    if (rotation.count > 1) chips.push(`view ${rotation.index + 1}/${rotation.count}`);
    $("filters").textContent = chips.join(" · ");
    const instances = $("instances");
    instances.hidden = !st.each;
    if (st.each) {
      const bad = st.each.filter((e) => e.st.stale);
      instances.textContent = `${st.each.length} instances${bad.length ? ` · ${bad.map((e) => `${e.f.label} ${e.f.status.state === "open" && e.f.data ? "stale" : "disconnected"}`).join(", ")}` : ""}`;
      instances.className = bad.length ? "instances stale" : "instances";
      instances.title = st.each.map((e) => `${e.f.label}: ${e.st.stale ? e.st.reason : "live"}`).join("\n");
    }
    const banner = $("banner");
    banner.hidden = !st.stale;
    banner.textContent = st.stale
      ? `STALE — ${st.reason}${live.data ? ` · last data ${fmt.clock(live.nowMs)}; numbers below are not live` : ""}`
      : "";
  }

  const rotation = { index: 0, count: 1, at: 0 };
  let view = null;

  function currentView() {
    const search = location.search;
    const base = ccmonView.parse(search);
    rotation.count = Math.max(1, base.views.length);
    if (base.rotateSeconds > 0 && rotation.count > 1) {
      const t = performance.now();
      if (rotation.at === 0) rotation.at = t;
      else if (t - rotation.at >= base.rotateSeconds * 1000) {
        rotation.index = (rotation.index + 1) % rotation.count;
        rotation.at = t;
      }
      return ccmonView.parse(ccmonView.rotationStep(search, rotation.index));
    }
    return base;
  }

  function render() {
    view = currentView();
    const root = document.documentElement;
    root.dataset.theme = view.theme;
    const st = staleness(view);
    document.body.classList.toggle("is-stale", st.stale);
    const main = $("main");
    main.dataset.panels = view.panels.join(" ");
    for (const p of ccmonView.PANELS) $(`panel-${p}`).hidden = !view.panels.includes(p);
    const t = elapsed(st.stale);
    renderHeader(view, st);
    if (view.panels.includes("tiles")) renderTiles(view, t);
    if (view.panels.includes("teams")) renderTeams(view);
    if (view.panels.includes("agents")) renderAgents(view, t);
    if (view.panels.includes("intervals")) renderIntervals(view);
  }

  // --- controls (for a desk; a TV is set up by its URL) -----------------
  function setParam(name, value) {
    const params = new URLSearchParams(location.search);
    if (value === null) params.delete(name);
    else params.set(name, value);
    history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
    chartKey = "";
    render();
  }

  // Asks the screen to stay on (Screen Wake Lock API; only in a secure
  // context, i.e. https or localhost). Best effort: a TV's own settings rule.
  function keepAwake() {
    if (!navigator.wakeLock || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").catch(() => {});
  }

  function start() {
    keepAwake();
    document.addEventListener("visibilitychange", keepAwake);
    for (const b of document.querySelectorAll("#windows button")) b.addEventListener("click", () => setParam("window", b.dataset.window));
    $("theme").addEventListener("click", () => setParam("theme", view && view.theme === "light" ? "dark" : "light"));
    window.addEventListener("resize", () => render());
    const initial = ccmonView.parse(location.search);
    // This daemon first, then each peer (docs/wallboard.md, "Several instances").
    const urls = [ccmonFeed.liveUrl(location.href, initial.token)];
    live.feeds.push(newFeedState(location.host || "this page", urls[0]));
    for (const peer of initial.peers) {
      const url = ccmonFeed.peerLiveUrl(peer, initial.token);
      if (!url || urls.includes(url)) continue;
      urls.push(url);
      live.feeds.push(newFeedState(new URL(url).host, url));
    }
    const feeds = live.feeds.map((f, i) => new ccmonFeed.LiveFeed(f.url, {
      onMessage: (message) => apply(i, message),
      onStatus: (status) => {
        f.status = status;
        if (i === 0) live.status = status;
        render();
      },
    }));
    const feed = feeds[0];
    // Ticks the clocks, the stale check and the rotation between updates. A
    // wall display never idles out: nothing here stops after inactivity.
    setInterval(render, 1000);
    render();
    for (const x of feeds) x.start();
    window.ccmonWallboard = { live, feed, feeds }; // for the browser tests and a curious supervisor
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
