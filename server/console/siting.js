// Siting (选址分析): choose a service product and how many new sites (k);
// the server picks them greedily among the village/community centroids
// (`GET /api/v1/siting`, what the `siting` command computes) and says the
// product's coverage before and after. The sites are drawn on a map of the
// district's villages (covered before, newly covered, still uncovered).

import { h, s, mount, announce, table, field, pct } from "./dom.js";
import { t } from "./i18n.js";
import { get } from "./api.js";
import { makeProjection } from "./map.js";

const PRODUCTS = ["legal_aid", "mediation", "lawyer", "notarization", "judicial_appraisal", "arbitration",
  "grassroots_legal_service", "legal_education"];

export async function render(root, ctx) {
  const product = h("select", { id: "siting-product" }, PRODUCTS.map((p) => h("option", { value: p }, t(`product.${p}`))));
  const k = h("input", { id: "siting-k", type: "number", min: 1, max: 10, value: 3, inputmode: "numeric" });
  const objective = h("select", { id: "siting-objective" },
    ["villages", "population"].map((o) => h("option", { value: o }, t(`siting.objective.${o}`))));
  const error = h("p", { class: "error", role: "alert", id: "siting-error" });
  const out = h("div", { id: "siting-result", "aria-live": "polite" });
  const form = h("form", { id: "siting-form", class: "filters", novalidate: true, "aria-label": t("siting.formTitle") },
    field(t("siting.product"), product), field(t("siting.k"), k, t("siting.kHint")), field(t("siting.objective"), objective),
    h("button", { type: "submit", class: "primary" }, t("siting.run")));
  mount(root, h("h2", { tabindex: "-1" }, t("nav.siting")), h("p", { class: "muted" }, t("siting.intro")), form, error, out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const n = Number(k.value);
    if (!Number.isInteger(n) || n < 1 || n > 10) {
      error.textContent = t("siting.kHint");
      k.setAttribute("aria-invalid", "true");
      k.focus();
      return;
    }
    k.removeAttribute("aria-invalid");
    mount(out, h("p", { class: "muted" }, t("siting.computing")));
    try {
      const q = new URLSearchParams({ product: product.value, k: String(n), objective: objective.value });
      const [report, areas] = await Promise.all([get(`/api/v1/siting?${q}`), ctx.areas()]);
      draw(out, report, areas);
      const heading = out.querySelector("h3");
      announce(heading.textContent);
      heading.focus();
    } catch (err) {
      mount(out);
      error.textContent = `${t("error")}: ${err.message}`;
    }
  });
}

function draw(out, report, areas) {
  const villages = (areas.features || []).filter((f) => f.properties.level === "village");
  const names = new Map(villages.map((f) => [f.properties.code, f.properties.name]));
  const at = (f) => (f.geometry?.type === "Point" ? f.geometry.coordinates : [f.properties.lng, f.properties.lat]);
  const newly = new Set(report.chosen.flatMap((c) => c.newly_covered));
  const proj = makeProjection([...villages.map(at), ...report.chosen.map((c) => [c.point.lng, c.point.lat])]);
  const map = s("svg", { viewBox: `0 0 ${proj.width} ${proj.height}`, class: "siting-map", id: "siting-map", role: "img",
    "aria-labelledby": "siting-map-title" },
  s("title", { id: "siting-map-title" }, t("siting.mapTitle", { n: report.chosen.length, covered: newly.size })),
  villages.map((f) => {
    const [x, y] = proj.project(at(f));
    return s("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 4, class: newly.has(f.properties.code) ? "village newly" : "village" },
      s("title", {}, f.properties.name));
  }),
  report.chosen.map((c, i) => {
    const [x, y] = proj.project([c.point.lng, c.point.lat]);
    return s("g", { class: "site" },
      s("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 10 }),
      s("text", { x: x.toFixed(1), y: (y + 4).toFixed(1), "text-anchor": "middle" }, String(i + 1)));
  }));
  const cov = (c) => `${c.villages_covered}/${c.villages} (${pct(c.rate)})`;
  mount(out,
    h("h3", { tabindex: "-1", id: "siting-summary" }, t("siting.summary", {
      product: t(`product.${report.product}`), before: pct(report.before.rate), after: pct(report.after.rate),
    })),
    h("p", { class: "muted" }, /walking/i.test(JSON.stringify(report.distance_basis))
      ? t("siting.network") : t("siting.straight")),
    table(t("siting.coverageCaption"), [t("siting.when"), t("siting.villages"), t("siting.population")], [
      [t("siting.before"), cov(report.before), report.before.population_covered ?? "—"],
      [t("siting.after"), cov(report.after), report.after.population_covered ?? "—"],
    ], { id: "siting-coverage" }),
    report.chosen.length
      ? table(t("siting.sitesCaption"), ["#", t("siting.site"), t("siting.gain"), t("siting.newlyCovered")],
          report.chosen.map((c, i) => h("tr", { "data-candidate": c.candidate_id },
            h("td", {}, String(i + 1)), h("td", {}, `${names.get(c.candidate_id) || c.candidate_id} (${c.point.lat.toFixed(4)}, ${c.point.lng.toFixed(4)})`),
            h("td", {}, String(c.gain)), h("td", {}, c.newly_covered.map((v) => names.get(v) || v).join("、")))),
          { id: "siting-sites" })
      : h("p", { class: "muted", id: "siting-none" }, t("siting.none")),
    h("figure", { class: "chart-box" }, map, h("figcaption", { class: "muted" }, t("siting.legend"))));
}
