// ccmon wallboard: "today by interval", an inline SVG drawn here (no chart
// library): offered / answered / abandoned bars and service level / ASA lines.
"use strict";

const ccmonChart = (() => {
  const SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs = {}, text) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * Sums the interval rows of several series into one row per interval start:
   * counts add up; service level is Σ(ratio × volume) / Σ volume and ASA
   * Σ(ASA × answered) / Σ answered, so the result equals the KPI computed over
   * the union of the contacts (docs/wallboard.md, "GET /v1/intervals").
   */
  function aggregate(seriesList) {
    const byStart = new Map();
    for (const series of seriesList) {
      for (const row of series.intervals || []) {
        let acc = byStart.get(row.start);
        if (!acc) {
          acc = { start: row.start, offered: 0, answered: 0, abandoned: 0, slWeighted: 0, slVolume: 0, asaWeighted: 0 };
          byStart.set(row.start, acc);
        }
        acc.offered += row.offered || 0;
        acc.answered += row.answered || 0;
        acc.abandoned += row.abandoned || 0;
        if (row.service_level_ratio !== null && row.service_level_volume > 0) {
          acc.slWeighted += row.service_level_ratio * row.service_level_volume;
          acc.slVolume += row.service_level_volume;
        }
        if (row.average_speed_of_answer_seconds !== null && row.answered > 0) {
          acc.asaWeighted += row.average_speed_of_answer_seconds * row.answered;
        }
      }
    }
    return [...byStart.values()]
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
      .map((a) => ({
        start: a.start,
        offered: a.offered,
        answered: a.answered,
        abandoned: a.abandoned,
        service_level_ratio: a.slVolume > 0 ? a.slWeighted / a.slVolume : null,
        average_speed_of_answer_seconds: a.answered > 0 ? a.asaWeighted / a.answered : null,
      }));
  }

  /** "HH:MM" of an RFC 3339 start written in the configured zone's offset. */
  function label(start) {
    return start.slice(11, 16);
  }

  /** A "nice" step (1, 2 or 5 × 10^k, at least `min`) for about `ticks` steps up to value. */
  function niceStep(value, ticks = 4, min = 1) {
    const raw = Math.max(min, value / ticks);
    const p = 10 ** Math.floor(Math.log10(raw));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return Math.max(min, m * p);
    return 10 * p;
  }

  function polyline(points, cls) {
    // Undefined values break the line rather than drawing it through zero.
    const runs = [];
    let run = [];
    for (const p of points) {
      if (p === null) {
        if (run.length) runs.push(run);
        run = [];
      } else run.push(p);
    }
    if (run.length) runs.push(run);
    return runs.map((r) =>
      r.length === 1
        ? el("circle", { class: cls, cx: r[0][0], cy: r[0][1], r: 3 })
        : el("polyline", { class: cls, points: r.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ") }),
    );
  }

  /**
   * Draws `rows` (from aggregate) into `svg`, sized to its box in CSS pixels
   * (width × height), with font size `font` px; `empty` is said when there
   * is nothing to draw. Redrawn whole on each call.
   */
  function draw(svg, rows, { width, height, font, empty = "no contacts today yet" }) {
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    if (!rows.length || width < 50 || height < 50) {
      svg.append(el("text", { class: "chart-empty", x: width / 2, y: height / 2, "font-size": font }, empty));
      return;
    }
    const left = font * 3.2;
    const right = font * 3.6;
    const top = font * 2.2;
    const bottom = font * 1.8;
    const plotW = width - left - right;
    const plotH = height - top - bottom;
    const slot = plotW / rows.length;
    const countTop = Math.max(1, ...rows.map((r) => Math.max(r.offered, r.answered + r.abandoned)));
    const countStep = niceStep(countTop);
    const countSteps = Math.ceil(countTop / countStep);
    const countMax = countStep * countSteps;
    const asaTop = Math.max(1, ...rows.map((r) => r.average_speed_of_answer_seconds || 0));
    const asaMax = niceStep(asaTop) * Math.ceil(asaTop / niceStep(asaTop));
    const yCount = (v) => top + plotH - (v / countMax) * plotH;
    const yRatio = (v) => top + plotH - v * plotH;
    const yAsa = (v) => top + plotH - (v / asaMax) * plotH;
    const x = (i) => left + i * slot;

    // Grid and axes: counts on the left, service level (0–100 %) on the right.
    for (let k = 0; k <= countSteps; k += 1) {
      const y = yCount(k * countStep);
      svg.append(el("line", { class: "chart-grid", x1: left, x2: left + plotW, y1: y, y2: y }));
      svg.append(el("text", { class: "chart-axis", x: left - font * 0.4, y: y + font * 0.35, "text-anchor": "end", "font-size": font },
        String(k * countStep)));
    }
    for (const ratio of [0, 0.5, 1]) {
      svg.append(el("text", { class: "chart-axis chart-sl", x: left + plotW + font * 0.4, y: yRatio(ratio) + font * 0.35, "font-size": font },
        `${ratio * 100}%`));
    }
    const every = Math.max(1, Math.ceil((rows.length * font * 3) / plotW));
    rows.forEach((r, i) => {
      if (i % every === 0) {
        svg.append(el("text", { class: "chart-axis", x: x(i) + slot / 2, y: height - font * 0.4, "text-anchor": "middle", "font-size": font }, label(r.start)));
      }
      const w = Math.max(1, slot * 0.8);
      const x0 = x(i) + (slot - w) / 2;
      svg.append(el("rect", { class: "bar-offered", x: x0, y: yCount(r.offered), width: w, height: top + plotH - yCount(r.offered) }));
      const inner = Math.max(1, w * 0.6);
      const xi = x0 + (w - inner) / 2;
      svg.append(el("rect", { class: "bar-answered", x: xi, y: yCount(r.answered), width: inner, height: top + plotH - yCount(r.answered) }));
      svg.append(el("rect", { class: "bar-abandoned", x: xi, y: yCount(r.answered + r.abandoned), width: inner,
        height: yCount(r.answered) - yCount(r.answered + r.abandoned) }));
    });
    const centre = (i) => x(i) + slot / 2;
    svg.append(...polyline(rows.map((r, i) => (r.service_level_ratio === null ? null : [centre(i), yRatio(r.service_level_ratio)])), "line-sl"));
    svg.append(...polyline(rows.map((r, i) => (r.average_speed_of_answer_seconds === null ? null : [centre(i), yAsa(r.average_speed_of_answer_seconds)])), "line-asa"));

    // Legend across the top; the ASA scale is named in it (its own axis would crowd the chart).
    const legend = [
      ["bar-offered", "offered"], ["bar-answered", "answered"], ["bar-abandoned", "abandoned"],
      ["line-sl", "service level"], ["line-asa", `ASA (top = ${ccmonFormat.seconds(asaMax)})`],
    ];
    let lx = left;
    for (const [cls, text] of legend) {
      svg.append(el("rect", { class: `${cls} legend-key`, x: lx, y: font * 0.5, width: font, height: font * 0.8 }));
      const t = el("text", { class: "chart-legend", x: lx + font * 1.3, y: font * 1.2, "font-size": font }, text);
      svg.append(t);
      lx += font * 2.3 + t.getComputedTextLength();
    }
  }

  return { aggregate, draw, niceStep };
})();
