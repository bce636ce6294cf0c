// Quality spot checks (质量抽查): draw the week's sample (at least 5% of each
// street's resolved orders, one at least, from a seed the server takes from
// its OS random source), review each sampled order with a verdict and a
// note, and see the results per street and every draw with its re-check.
// Station staff see and review their own street only; the server decides.

import { h, mount, announce, table, field, fmtTime, loadMore } from "./dom.js";
import { t } from "./i18n.js";
import { getPage, post } from "./api.js";

const OUTCOMES = ["satisfactory", "needs_improvement", "unsatisfactory"];
let week = null; // the week shown, e.g. "2025-W10"; null: this week
let street = ""; // district admins: one street, or "" for all

export async function render(root, ctx) {
  if (!(await ctx.has("/api/v1/spot-checks"))) {
    mount(root, h("h2", { tabindex: "-1" }, t("nav.spotchecks")),
      h("p", { class: "note", id: "spotchecks-unavailable" }, t("notYet", { what: t("nav.spotchecks") })));
    return;
  }
  const admin = ctx.me?.role === "district_admin";
  const q = () => {
    const p = new URLSearchParams();
    if (week) p.set("week", week);
    if (admin && street) p.set("street", street);
    const s = p.toString();
    return s ? `?${s}` : "";
  };
  // The sampled orders and the draws come a page (100) at a time.
  const checksPage = (from) => getPage(`/api/v1/spot-checks${q()}`, from)
    .then((r) => ({ ...r, items: r.page.checks }));
  const drawsPage = (from) => getPage(`/api/v1/spot-checks/draws${q()}`, from);
  const [first, firstDraws, streets] = await Promise.all([checksPage(null), drawsPage(null), ctx.streetNames()]);
  const data = first.page;
  const draws = firstDraws.items;
  week = data.week;
  const reload = () => render(root, ctx);
  const streetOf = (code) => (code ? streets.get(code) || code : "—");

  // The draw form: the week (native week picker), the street for admins.
  const weekInput = h("input", { type: "week", id: "spot-week", name: "week", value: data.week, required: true });
  const streetSelect = admin
    ? h("select", { id: "spot-street", name: "street" },
        h("option", { value: "", selected: street === "" }, t("spot.allStreets")),
        [...streets.entries()].map(([code, name]) => h("option", { value: code, selected: street === code }, name)))
    : null;
  const drawButton = h("button", { type: "submit", class: "primary", id: "spot-draw" }, t("spot.draw"));
  const form = h("form", { id: "spot-form", class: "inline", novalidate: true },
    field(t("spot.week"), weekInput),
    streetSelect ? field(t("spot.street"), streetSelect) : null,
    h("div", { class: "buttons" },
      drawButton,
      h("button", { type: "button", id: "spot-show", onclick: () => { pick(); reload(); } }, t("spot.show"))));
  const pick = () => {
    if (weekInput.value) week = weekInput.value;
    if (streetSelect) street = streetSelect.value;
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    pick();
    drawButton.disabled = true;
    try {
      const res = await post(`/api/v1/spot-checks/draw${q()}`, {});
      const n = res.draw.samples.reduce((sum, s) => sum + s.order_ids.length, 0);
      await reload();
      announce(t("spot.drawn", { n, seed: res.draw.seed_hex.slice(0, 12) }));
    } catch (err) {
      drawButton.disabled = false;
      announce(`${t("error")}: ${err.message}`, "error");
    }
  });

  // Results per street.
  const results = data.streets.length
    ? table(t("spot.results", { week: data.week }),
        [t("spot.street"), t("spot.resolved"), t("spot.sampled"), t("spot.share"), t("spot.reviewed"),
          t("spot.outcome.satisfactory"), t("spot.outcome.needs_improvement"), t("spot.outcome.unsatisfactory")],
        data.streets.map((s) => h("tr", { "data-street": s.street_code },
          h("td", {}, streetOf(s.street_code)),
          h("td", {}, String(s.resolved)),
          h("td", {}, String(s.sampled)),
          h("td", { class: s.resolved > 0 && s.sampled_percent < data.min_percent ? "warn" : null },
            s.resolved ? `${s.sampled_percent}%` : "—"),
          h("td", {}, String(s.reviewed)),
          h("td", {}, String(s.satisfactory)),
          h("td", {}, String(s.needs_improvement)),
          h("td", {}, String(s.unsatisfactory)))),
        { id: "spot-results" })
    : h("p", { class: "muted", id: "no-spot-results" }, t("spot.noResolved"));

  // Each sampled order: a verdict and a note, saved per row.
  const checkRow = (c) => reviewRow(c, data.week, streetOf, reload);
  const checkTable = data.checks.length
    ? table(t("spot.checks", { n: data.streets.reduce((n, s) => n + s.sampled, 0) }),
        [t("spot.order"), t("spot.street"), t("spot.verdict"), t("spot.note"), t("spot.status"), t("actions")],
        data.checks.map(checkRow),
        { id: "spot-checks" })
    : null;
  const checks = checkTable
    ? h("div", {}, checkTable, loadMore(checkTable, first.next, checksPage, checkRow, "spot-checks-more"))
    : h("p", { class: "muted", id: "no-spot-checks" }, t("spot.none"));

  // Every draw of the week, re-checked by the server from its record.
  const drawRow = (d) => h("tr", { "data-id": d.id },
    h("td", {}, fmtTime(d.drawn_at)),
    h("td", {}, d.drawn_by),
    h("td", {}, d.street_code ? streetOf(d.street_code) : t("spot.wholeDistrict")),
    h("td", {}, h("code", { title: d.seed_hex }, `${d.seed_hex.slice(0, 16)}…`)),
    h("td", {}, String(d.population.reduce((n, p) => n + p.order_ids.length, 0))),
    h("td", {}, String(d.samples.reduce((n, s) => n + s.order_ids.length, 0))),
    h("td", { class: d.reproduces ? null : "warn" }, d.reproduces ? t("spot.yes") : t("spot.no")));
  const drawTable = draws.length
    ? table(t("spot.draws"),
        [t("spot.drawnAt"), t("spot.drawnBy"), t("spot.scope"), t("spot.seed"), t("spot.population"), t("spot.sampled"), t("spot.reproduces")],
        draws.map(drawRow),
        { id: "spot-draws" })
    : null;
  const drawList = drawTable
    ? h("div", {}, drawTable, loadMore(drawTable, firstDraws.next, drawsPage, drawRow, "spot-draws-more"))
    : h("p", { class: "muted", id: "no-spot-draws" }, t("spot.noDraws"));

  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.spotchecks")),
    h("p", { class: "note" }, t("spot.intro")),
    form,
    h("section", { "aria-labelledby": "spot-results-title" }, h("h3", { id: "spot-results-title" }, t("spot.resultsTitle")), results),
    h("section", { "aria-labelledby": "spot-checks-title" }, h("h3", { id: "spot-checks-title" }, t("spot.checksTitle")), checks),
    h("section", { "aria-labelledby": "spot-draws-title" }, h("h3", { id: "spot-draws-title" }, t("spot.drawsTitle")), drawList));
}

function reviewRow(c, weekText, streetOf, reload) {
  const r = c.review;
  const verdict = h("select", { "aria-label": `${t("spot.verdict")} ${c.order_id}`, name: "outcome" },
    h("option", { value: "", selected: !r }, t("spot.choose")),
    OUTCOMES.map((o) => h("option", { value: o, selected: r?.outcome === o }, t(`spot.outcome.${o}`))));
  const note = h("input", { type: "text", name: "note", value: r?.note || "", "aria-label": `${t("spot.note")} ${c.order_id}` });
  const save = async () => {
    if (!verdict.value) {
      announce(t("spot.verdictRequired"), "error");
      verdict.focus();
      return;
    }
    if (verdict.value !== "satisfactory" && !note.value.trim()) {
      note.setAttribute("aria-invalid", "true");
      announce(t("spot.noteRequired"), "error");
      note.focus();
      return;
    }
    try {
      await post(`/api/v1/spot-checks/${encodeURIComponent(c.order_id)}`, {
        outcome: verdict.value, note: note.value.trim() || null, week: weekText,
      });
      await reload();
      announce(t("spot.saved", { id: c.order_id }));
    } catch (err) {
      announce(`${t("error")}: ${err.message}`, "error");
    }
  };
  return h("tr", { "data-id": c.order_id, "data-outcome": r?.outcome || "" },
    h("td", {}, c.order_id),
    h("td", {}, streetOf(c.street_code)),
    h("td", {}, verdict),
    h("td", {}, note),
    h("td", {}, r ? t("spot.reviewedAt", { when: fmtTime(r.at) }) : t("spot.pending")),
    h("td", { class: "actions" },
      h("button", { type: "button", class: "primary", "aria-label": `${t("spot.saveReview")} ${c.order_id}`, onclick: save },
        t("spot.saveReview"))));
}
