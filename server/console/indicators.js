// Indicators (指标晾晒) per street against the plan's targets. Coverage of
// the 15-minute circle comes from the server's coverage report (a bar per
// street, with the target lines); the service indicators (satisfaction,
// time to claim, resolution, overdue, hotline) from /api/v1/indicators, as a
// chart of the rates against their targets and a table per street.

import { h, s, mount, table, pct } from "./dom.js";
import { t } from "./i18n.js";
import { getOptional } from "./api.js";

export async function render(root, ctx) {
  const [coverage, hasIndicators] = await Promise.all([ctx.coverage(), ctx.has("/api/v1/indicators")]);
  const indicators = hasIndicators ? await getOptional("/api/v1/indicators").catch(() => null) : null;

  const parts = [h("h2", { tabindex: "-1" }, t("nav.indicators"))];
  if (!coverage) {
    parts.push(h("p", { class: "note" }, t("map.coverageUnavailable")));
  } else {
    const streets = [...coverage.streets].sort((a, b) => b.rate - a.rate);
    const targets = coverage.standard?.targets || coverage.district?.targets || [];
    parts.push(
      h("section", { "aria-labelledby": "cov-title" },
        h("h3", { id: "cov-title" }, t("ind.coverageTitle")),
        h("p", {}, t("ind.district", {
          covered: coverage.district.villages_covered, total: coverage.district.villages, rate: pct(coverage.district.rate),
        }), " ", coverage.distance_basis?.basis ? t(`basis.${coverage.distance_basis.basis}`, { factor: coverage.distance_basis.factor }) : ""),
        h("ul", { class: "targets" }, (coverage.district.targets || []).map((x) =>
          h("li", { title: x.label }, t("ind.targetLabel", { due: x.due, rate: pct(x.min_rate) }), h("strong", { class: x.met ? "met" : "unmet" }, x.met ? t("ind.met") : t("ind.unmet"))))),
        barChart(streets, targets),
        table(t("ind.tableCaption"),
          [t("ind.street"), t("ind.villages"), t("ind.covered"), t("ind.rate"), t("ind.population"), ...targets.map((x) => `${t("ind.target")} ${pct(x.min_rate)}（${x.due}）`)],
          streets.map((st) => [
            st.name || st.code, st.villages, st.villages_covered, pct(st.rate), pct(st.population_rate),
            ...targets.map((x) => {
              const status = (st.targets || []).find((y) => y.due === x.due && y.min_rate === x.min_rate);
              const met = status ? status.met : st.rate >= x.min_rate;
              return h("span", { class: met ? "met" : "unmet" }, met ? t("ind.met") : t("ind.unmet"));
            }),
          ]), { id: "street-indicators" }),
        productTable(coverage),
      ),
    );
  }
  parts.push(
    h("section", { "aria-labelledby": "svc-title" },
      h("h3", { id: "svc-title" }, t("ind.serviceTitle")),
      indicators
        ? serviceIndicators(indicators, coverage)
        : h("p", { class: "note", id: "indicators-unavailable" }, t("notYet", { what: t("ind.serviceTitle") }))),
  );
  mount(root, ...parts);
}

/** A horizontal bar per street, with dashed lines at the targets. */
function barChart(streets, targets) {
  const rowH = 28, left = 110, width = 620, top = 24;
  const height = top + streets.length * rowH + 10;
  const x = (r) => left + r * (width - left - 20);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-labelledby": "chart-title chart-desc" },
    s("title", { id: "chart-title" }, t("ind.chartTitle")),
    s("desc", { id: "chart-desc" }, streets.map((st) => `${st.name}: ${pct(st.rate)}`).join("; ")),
    [0, 0.25, 0.5, 0.75, 1].map((r) => s("g", {},
      s("line", { x1: x(r), x2: x(r), y1: top - 6, y2: height - 8, class: "grid" }),
      s("text", { x: x(r), y: top - 10, "text-anchor": "middle", class: "axis" }, `${r * 100}%`))),
    streets.map((st, i) => {
      const y = top + i * rowH;
      const met = (st.targets || []).every((x) => x.met);
      return s("g", { class: "row", "data-street": st.code },
        s("text", { x: left - 8, y: y + 17, "text-anchor": "end", class: "label" }, st.name || st.code),
        s("rect", { x: left, y: y + 4, width: Math.max(1, x(st.rate) - left), height: rowH - 10, class: `bar ${met ? "met" : "unmet"}` }),
        s("text", { x: x(st.rate) + 4, y: y + 17, class: "value" }, pct(st.rate)));
    }),
    targets.map((tg) => s("g", {},
      s("line", { x1: x(tg.min_rate), x2: x(tg.min_rate), y1: top - 4, y2: height - 8, class: "target-line" }),
      s("title", {}, `${tg.label}`))),
  );
  return h("figure", { class: "chart-box" }, svg,
    h("figcaption", { class: "muted" }, t("ind.chartCaption", { targets: targets.map((x) => `${pct(x.min_rate)}（${x.due}）`).join("、") })));
}

function productTable(coverage) {
  const rates = coverage.district.per_product || [];
  return table(t("ind.productCaption"), [t("facility.products"), t("ind.covered"), t("ind.rate")],
    rates.map((r) => [t(`product.${r.product}`), r.villages_covered, pct(r.rate)]), { id: "product-indicators" });
}

const RATES = ["satisfaction", "hotline_connection_rate", "hotline_satisfaction"];
const SHOWN = ["satisfaction", "median_time_to_claim_seconds", "median_resolution_seconds", "overdue_count",
  "volunteer_hours", "hotline_connection_rate", "hotline_satisfaction"];

function fmtIndicator(name, ind) {
  if (!ind || ind.value === null || ind.value === undefined) return "—";
  if (RATES.includes(name)) return pct(ind.value);
  if (name.endsWith("_seconds")) return `${(ind.value / 60).toFixed(1)} ${t("ind.minutes")}`;
  return String(Math.round(ind.value * 10) / 10);
}

/** The service indicators: the district's rates against their targets as
 * bars, then every indicator per street in a table. */
function serviceIndicators(report, coverage) {
  const names = new Map((coverage?.streets || []).map((st) => [st.code, st.name]));
  const get = (area, name) => (area.indicators || []).find((i) => i.name === name);
  const rows = [report.district, ...(report.streets || [])];
  const rateRows = RATES.map((name) => ({ name, ind: get(report.district, name) }));
  const width = 620, rowH = 28, left = 150, top = 24;
  const height = top + rateRows.length * rowH + 10;
  const x = (r) => left + Math.max(0, Math.min(1, r)) * (width - left - 20);
  const chart = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-labelledby": "svc-chart-title svc-chart-desc", id: "service-chart" },
    s("title", { id: "svc-chart-title" }, t("ind.serviceChartTitle")),
    s("desc", { id: "svc-chart-desc" }, rateRows.map((r) => `${t(`indicator.${r.name}`)}: ${fmtIndicator(r.name, r.ind)}`).join("; ")),
    rateRows.map((r, i) => {
      const y = top + i * rowH;
      const v = r.ind?.value ?? 0;
      const target = r.ind?.target?.min;
      return s("g", { class: "row" },
        s("text", { x: left - 8, y: y + 17, "text-anchor": "end", class: "label" }, t(`indicator.${r.name}`)),
        s("rect", { x: left, y: y + 4, width: Math.max(1, x(v) - left), height: rowH - 10,
          class: `bar ${r.ind?.meets_target === false ? "unmet" : "met"}` }),
        s("text", { x: x(v) + 4, y: y + 17, class: "value" }, fmtIndicator(r.name, r.ind)),
        target !== undefined ? s("line", { x1: x(target), x2: x(target), y1: y + 2, y2: y + rowH - 4, class: "target-line" }) : null);
    }));
  return h("div", {},
    h("figure", { class: "chart-box" }, chart, h("figcaption", { class: "muted" }, t("ind.serviceChartCaption"))),
    table(t("ind.serviceTableCaption"),
      [t("ind.street"), ...SHOWN.map((n) => t(`indicator.${n}`))],
      rows.map((area) => [
        area === report.district ? t("ind.wholeDistrict") : (names.get(area.code) || area.code),
        ...SHOWN.map((n) => {
          const ind = get(area, n);
          const text = fmtIndicator(n, ind);
          return ind?.meets_target === undefined || ind?.meets_target === null
            ? text
            : h("span", { class: ind.meets_target ? "met" : "unmet", title: ind.target ? `${t("ind.target")} ${RATES.includes(n) ? pct(ind.target.min) : ind.target.min}` : "" }, text);
        }),
      ]), { id: "service-indicators" }));
}
