// ccmon wallboard: the view — what one TV shows — read from the URL query
// (docs/wallboard.md, "URL parameters"), and the filters it applies.
"use strict";

const ccmonView = (() => {
  const PANELS = ["tiles", "teams", "intervals", "agents"];

  /** `*` any run of characters, `?` exactly one, whole value, case-sensitive (as docs/sla.md). */
  function globMatch(pattern, value) {
    const re = new RegExp(
      "^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$",
    );
    return re.test(value);
  }

  /** Values of a repeatable, comma-separated parameter, empty ones dropped. */
  function list(params, name) {
    return params.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  }

  function positive(text, fallback) {
    const n = Number(text);
    return text !== null && Number.isFinite(n) && n >= 0 ? n : fallback;
  }

  /**
   * The view described by a query string. Unknown or malformed values fall
   * back to the defaults: a TV must show something rather than an error.
   */
  function parse(search) {
    const params = new URLSearchParams(search);
    const panels = list(params, "panels").filter((p) => PANELS.includes(p));
    return {
      title: params.get("title") || "",
      window: params.get("window") || "15m",
      queues: list(params, "queue"),
      channels: list(params, "channel"),
      teams: list(params, "team"),
      theme: params.get("theme") === "light" ? "light" : "dark",
      panels: panels.length ? panels : PANELS,
      sort: params.get("sort") === "sla" ? "sla" : "name",
      staleSeconds: positive(params.get("stale"), 10),
      risk: positive(params.get("risk"), 0.1),
      offline: params.get("offline") === "1",
      token: params.get("token") || "",
      peers: list(params, "peers").filter((u) => /^https?:\/\/[^/]/i.test(u)),
      rotateSeconds: positive(params.get("rotate"), 0),
      views: params.getAll("view"),
    };
  }

  /** The query of rotation step `i`: the base query with view i's parameters overriding it. */
  function rotationStep(search, i) {
    const base = new URLSearchParams(search);
    const views = base.getAll("view");
    if (views.length === 0) return base.toString();
    const override = new URLSearchParams(views[i % views.length]);
    for (const name of new Set(override.keys())) {
      if (name === "view" || name === "rotate" || name === "token" || name === "peers") continue;
      base.delete(name);
      for (const v of override.getAll(name)) base.append(name, v);
    }
    return base.toString();
  }

  function matchesAny(patterns, value) {
    return patterns.length === 0 || patterns.some((p) => globMatch(p, value ?? ""));
  }

  /** Whether a queue × channel series passes the view's filters. */
  function seriesVisible(view, queue, channel) {
    return matchesAny(view.queues, queue) && matchesAny(view.channels, channel);
  }

  /** Whether a team (or an agent's team) passes the view's filters. */
  function teamVisible(view, team) {
    return matchesAny(view.teams, team);
  }

  return { PANELS, globMatch, parse, rotationStep, seriesVisible, teamVisible };
})();
