// ccmon wallboard: applies the live feed's messages to the page's copy of the
// state (docs/wallboard.md, "Changes in updates"). Pure: no DOM, no clock.
"use strict";

const ccmonMerge = (() => {
  // The keyed sections: an update carries their new or changed items only,
  // and under `removed` the keys of the items that went.
  const KEYS = {
    series: ["queue", "channel"],
    teams: ["team"],
    sla: ["sla", "queue", "channel"],
    agents: ["agent"],
  };

  function keyOf(fields, item) {
    return fields.map((f) => String(item[f] ?? "")).join("\u0000");
  }

  // The daemon's order: by the key fields, bytewise (UTF-16 order is the
  // same for the names a center uses; only the order of a new item matters).
  function compare(fields) {
    return (a, b) => {
      for (const f of fields) {
        const x = String(a[f] ?? "");
        const y = String(b[f] ?? "");
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    };
  }

  /** `current` with the items of `changed` upserted and those keyed in `gone` removed. */
  function mergeKeyed(fields, current, changed, gone) {
    const index = new Map((current || []).map((item, i) => [keyOf(fields, item), i]));
    const out = [...(current || [])];
    let added = false;
    for (const item of changed || []) {
      const i = index.get(keyOf(fields, item));
      if (i === undefined) {
        index.set(keyOf(fields, item), out.length);
        out.push(item);
        added = true;
      } else {
        out[i] = item;
      }
    }
    const drop = new Set((gone || []).map((k) => keyOf(fields, k)));
    const kept = drop.size ? out.filter((item) => !drop.has(keyOf(fields, item))) : out;
    return added ? kept.sort(compare(fields)) : kept;
  }

  /** Today's intervals with an update's changed rows upserted; a new day or length replaces them. */
  function mergeIntervals(current, update) {
    if (!current || current.day !== update.day || current.interval_seconds !== update.interval_seconds) return update;
    const series = current.series.map((s) => ({ ...s, intervals: [...s.intervals] }));
    for (const u of update.series || []) {
      let s = series.find((c) => c.queue === u.queue && c.channel === u.channel);
      if (!s) {
        s = { ...u, intervals: [] };
        series.push(s);
      }
      for (const row of u.intervals || []) {
        const i = s.intervals.findIndex((r) => r.start === row.start);
        if (i >= 0) s.intervals[i] = row;
        else s.intervals.push(row);
      }
      s.intervals.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    }
    return { ...current, series };
  }

  /**
   * The state after `message`: a "state" replaces everything; an "update"
   * replaces the plain sections it carries, merges the keyed sections and
   * `intervals`, and leaves the sections it does not carry. null for an
   * update with no state to apply it to, or an unknown type.
   */
  function applyMessage(data, message) {
    if (message.type === "state") {
      const { type, ...sections } = message;
      return sections;
    }
    if (message.type !== "update" || !data) return null;
    const next = { ...data };
    const removed = message.removed || {};
    for (const [key, value] of Object.entries(message)) {
      if (key === "type" || key === "removed") continue;
      if (key === "intervals") next.intervals = mergeIntervals(data.intervals, value);
      else if (KEYS[key]) next[key] = mergeKeyed(KEYS[key], data[key], value, removed[key]);
      else next[key] = value;
    }
    for (const [key, gone] of Object.entries(removed)) {
      if (KEYS[key] && !(key in message)) next[key] = mergeKeyed(KEYS[key], data[key], [], gone);
    }
    return next;
  }

  return { applyMessage, compare, mergeIntervals, mergeKeyed };
})();
