// ccmon wallboard: the merge of several ccmond instances' feeds into one
// document of the same shape (docs/wallboard.md, "Several instances"). Pure:
// no DOM, no clock. Counts add up; ratios and means are recomputed from the
// summed parts the feed carries (`parts`), never averaged.
"use strict";

const ccmonAggregate = (() => {
  // Window KPIs that are counts: summed.
  const COUNTS = ["offered", "answered", "abandoned", "short_abandoned", "overflowed", "handled", "resolved_cases", "churned_customers"];

  const n = (v) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const ratio = (num, den, scale = 1) => (den > 0 ? (scale * num) / den : null);

  function sumObjects(objects) {
    const out = {};
    for (const o of objects) for (const [k, v] of Object.entries(o || {})) out[k] = n(out[k]) + n(v);
    return out;
  }

  /**
   * One series window from several instances' windows of the same queue ×
   * channel. The tile's ratios and means from the summed parts (formulas of
   * docs/kpis.md, as core/kpi.hpp); the longest wait is the largest; the
   * other ratios and the quantiles cannot be rebuilt from the feed and are
   * null (not shown on a tile).
   */
  function mergeSeriesWindow(windows) {
    const out = {};
    for (const w of windows) for (const k of Object.keys(w)) out[k] = null;
    for (const k of COUNTS) out[k] = windows.reduce((s, w) => s + n(w[k]), 0);
    const p = sumObjects(windows.map((w) => w.parts));
    out.parts = p;
    out.deflected = sumObjects(windows.map((w) => w.deflected));
    const maxes = windows.map((w) => w.wait_max_seconds).filter((v) => typeof v === "number");
    out.wait_max_seconds = maxes.length ? Math.max(...maxes) : null;
    out.service_level_ratio = ratio(n(p.service_level_met), n(p.service_level_eligible));
    out.answer_ratio = ratio(out.answered, out.answered + out.abandoned + out.overflowed);
    out.abandon_ratio = ratio(out.abandoned - out.short_abandoned, out.answered + out.abandoned - out.short_abandoned + out.overflowed);
    out.average_speed_of_answer_seconds = ratio(n(p.answered_wait_seconds), out.answered);
    out.average_handle_time_seconds = ratio(n(p.talk_time_seconds) + n(p.hold_time_seconds) + n(p.after_contact_work_seconds), out.handled);
    out.average_talk_time_seconds = ratio(n(p.talk_time_seconds), out.handled);
    out.average_hold_time_seconds = ratio(n(p.hold_time_seconds), out.handled);
    out.average_after_contact_work_seconds = ratio(n(p.after_contact_work_seconds), out.handled);
    out.average_first_response_seconds = ratio(n(p.first_response_time_seconds), n(p.first_responses));
    out.csat_ratio = ratio(n(p.csat_satisfied_answers), n(p.csat_answers));
    out.nps = ratio(n(p.nps_promoters) - n(p.nps_detractors), n(p.nps_answers), 100);
    return out;
  }

  /** One team window: parts summed, the team KPIs recomputed (docs/kpis.md). */
  function mergeTeamWindow(windows) {
    const p = sumObjects(windows.map((w) => w.parts));
    const staffed = n(p.team_staffed_seconds);
    return {
      occupancy_ratio: ratio(n(p.team_occupied_seconds), staffed),
      contacts_per_agent_hour: ratio(n(p.team_handled), staffed, 3600),
      average_time_between_contacts_seconds: ratio(n(p.team_between_contacts_seconds), n(p.team_between_contacts)),
      parts: p,
    };
  }

  /** Items grouped by key, in first-seen order: [[key, [{item, feed}]]]. */
  function group(feeds, section, keyFields) {
    const groups = new Map();
    feeds.forEach((data, feed) => {
      for (const item of data[section] || []) {
        const key = keyFields.map((f) => String(item[f] ?? "")).join("\u0000");
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push({ item, feed });
      }
    });
    return [...groups.values()];
  }

  // The daemon's order of keyed items (merge.js).
  const byKey = ccmonMerge.compare;

  function windowsOf(items, pick, mergeWindow) {
    const names = new Set(items.flatMap((it) => Object.keys(it.windows || {})));
    const out = {};
    for (const name of names) out[name] = mergeWindow(items.map((it) => (it.windows || {})[name]).filter(Boolean).map(pick));
    return out;
  }

  function mergeSeries(members, nowMs, feedNow) {
    if (members.length === 1) {
      const { item, feed } = members[0];
      const live = item.live || {};
      if (!(n(live.contacts_waiting) > 0) || !(nowMs > feedNow[feed])) return item;
      return { ...item, live: { ...live, oldest_waiting_seconds: n(live.oldest_waiting_seconds) + (nowMs - feedNow[feed]) / 1000 } };
    }
    const items = members.map((m) => m.item);
    const live = sumObjects(items.map((s) => s.live));
    // oldest_waiting_seconds is as of each feed's now: brought to the merged now, then the largest.
    const oldest = members
      .filter((m) => n((m.item.live || {}).contacts_waiting) > 0)
      .map((m) => n((m.item.live || {}).oldest_waiting_seconds) + Math.max(0, (nowMs - feedNow[m.feed]) / 1000));
    live.oldest_waiting_seconds = oldest.length ? Math.max(...oldest) : 0;
    return {
      ...items[0],
      live,
      totals: sumObjects(items.map((s) => s.totals)),
      windows: windowsOf(items, (w) => w, mergeSeriesWindow),
    };
  }

  function mergeTeam(members) {
    if (members.length === 1) return members[0].item;
    const items = members.map((m) => m.item);
    return { ...items[0], agents: sumObjects(items.map((t) => t.agents)), windows: windowsOf(items, (w) => w, mergeTeamWindow) };
  }

  /**
   * One agent from its rows on several instances: the row whose state began
   * last wins (the instance that owns the agent's agent.state partition);
   * handled today is added up, AHT today weighted by handled; occupancy
   * today is the winner's (the feed carries no parts for it).
   */
  function mergeAgent(members) {
    if (members.length === 1) return members[0].item;
    const at = (a) => (a.state_since ? Date.parse(a.state_since) : -Infinity);
    const rows = members.map((m) => m.item);
    const winner = rows.reduce((a, b) => (at(b) > at(a) ? b : a));
    const handled = rows.reduce((s, a) => s + n((a.today || {}).handled), 0);
    const handleSum = rows.reduce((s, a) => s + n((a.today || {}).average_handle_time_seconds) * n((a.today || {}).handled), 0);
    return { ...winner, today: { ...(winner.today || {}), handled, average_handle_time_seconds: ratio(handleSum, handled) } };
  }

  /** One SLA rule state: breached on any instance is breached; else at risk on any is at risk. */
  function mergeRule(members) {
    const rows = members.map((m) => m.item);
    return rows.find((r) => r.breached) || rows.find((r) => r.at_risk === true) || rows[0];
  }

  /**
   * Intervals added up by (queue, channel, start): counts summed, service
   * level Σ(ratio × volume) / Σ volume, ASA Σ(ASA × answered) / Σ answered.
   * Only the feeds on the same day and interval length as the newest one.
   */
  function mergeIntervals(list) {
    const present = list.filter(Boolean);
    if (present.length <= 1) return present[0] || null;
    const ref = present.reduce((a, b) => (String(b.day) > String(a.day) ? b : a));
    const same = present.filter((iv) => iv.day === ref.day && iv.interval_seconds === ref.interval_seconds);
    const series = new Map();
    for (const iv of same) {
      for (const s of iv.series || []) {
        const key = `${s.queue}\u0000${s.channel}`;
        if (!series.has(key)) series.set(key, { ...s, rows: new Map() });
        const into = series.get(key);
        for (const r of s.intervals || []) {
          const acc = into.rows.get(r.start) || { start: r.start, offered: 0, answered: 0, abandoned: 0, met: 0, volume: 0, wait: 0 };
          acc.offered += n(r.offered);
          acc.answered += n(r.answered);
          acc.abandoned += n(r.abandoned);
          acc.met += n(r.service_level_ratio) * n(r.service_level_volume);
          acc.volume += n(r.service_level_volume);
          acc.wait += n(r.average_speed_of_answer_seconds) * n(r.answered);
          into.rows.set(r.start, acc);
        }
      }
    }
    const out = [...series.values()].map(({ rows, intervals, ...s }) => ({
      ...s,
      intervals: [...rows.values()]
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
        .map((r) => ({
          start: r.start,
          offered: r.offered,
          answered: r.answered,
          abandoned: r.abandoned,
          service_level_ratio: ratio(r.met, r.volume),
          service_level_volume: r.volume,
          average_speed_of_answer_seconds: ratio(r.wait, r.answered),
        })),
    }));
    out.sort(byKey(["queue", "channel"]));
    return { ...ref, series: out };
  }

  /**
   * The merged document of several feeds' states (each as ccmonMerge keeps
   * it; null for a feed with no state yet, skipped). The first present
   * state gives `build` and `windows`; `now` is the latest. One state is
   * returned as it is.
   */
  function merge(states) {
    const feeds = states.filter(Boolean);
    if (feeds.length <= 1) return feeds[0] || null;
    const feedNow = feeds.map((d) => Date.parse(d.now));
    const nowMs = Math.max(...feedNow.filter(Number.isFinite));
    const seriesKey = ["queue", "channel"];
    const agents = group(feeds, "agents", ["agent"]).map(mergeAgent).sort(byKey(["agent"]));
    const listed = feeds.reduce((s, d) => s + (d.agents || []).length, 0);
    return {
      ...feeds[0],
      now: feeds[feedNow.indexOf(nowMs)].now,
      series: group(feeds, "series", seriesKey).map((m) => mergeSeries(m, nowMs, feedNow)).sort(byKey(seriesKey)),
      teams: group(feeds, "teams", ["team"]).map(mergeTeam).sort(byKey(["team"])),
      sla: group(feeds, "sla", ["sla", "queue", "channel"]).map(mergeRule).sort(byKey(["sla", "queue", "channel"])),
      agents,
      // Each instance counts the agents it tracks: an agent on two is one.
      agents_total: feeds.reduce((s, d) => s + n(d.agents_total ?? (d.agents || []).length), 0) - (listed - agents.length),
      intervals: mergeIntervals(feeds.map((d) => d.intervals)),
      feeds: feeds.flatMap((d) => d.feeds || []),
    };
  }

  return { merge, mergeSeriesWindow, mergeTeamWindow, mergeAgent, mergeIntervals };
})();
