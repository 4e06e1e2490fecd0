// ccmon wallboard: value formatting, shared by the tiles, the agent grid and
// the chart. Classic script (no module) so the page also opens from file://.
"use strict";

const ccmonFormat = (() => {
  const DASH = "–";

  /** "m:ss" below an hour, "h:mm:ss" above; DASH for null/undefined. */
  function duration(seconds) {
    if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
  }

  /** A ratio 0–1 as a whole percentage ("87%"); DASH when undefined. */
  function percent(ratio) {
    if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH;
    return `${Math.round(ratio * 100)}%`;
  }

  /** A plain count or score; `digits` decimals. */
  function number(value, digits = 0) {
    if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
    return value.toFixed(digits);
  }

  /** An average in seconds, rounded to the second: "42s" below a minute, else as duration ("4:12"). */
  function seconds(value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
    const s = Math.round(value);
    return s < 60 ? `${s}s` : duration(s);
  }

  /** Formats an SLA target for display next to its KPI ("≥ 80%", "≤ 30s"). */
  function target(kpi, op, value) {
    const sign = { ">=": "≥", ">": ">", "<=": "≤", "<": "<" }[op] || op;
    let shown;
    if (kpi.endsWith("_ratio")) shown = percent(value);
    else if (kpi.endsWith("_seconds")) shown = seconds(value);
    else shown = number(value, Number.isInteger(value) ? 0 : 1);
    return `${sign} ${shown}`;
  }

  /** The clock time ("09:15:02") of an epoch-milliseconds instant, in the viewer's zone. */
  function clock(ms) {
    if (!Number.isFinite(ms)) return DASH;
    return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  }

  return { DASH, duration, percent, number, seconds, target, clock };
})();
