// Hotline records (12348 热线): district admins import the hotline's call
// records (CSV: call_id, started_at, answered, rating, street_code); a file
// with any bad row is refused whole and every bad row is listed. Below,
// the hotline indicators the records feed, for the district and each
// street.

import { h, mount, announce, table, field, pct } from "./dom.js";
import { t } from "./i18n.js";
import { get, api, ApiError } from "./api.js";

const HOTLINE = ["hotline_connection_rate", "hotline_satisfaction"];

export async function render(root, ctx) {
  const report = h("div", { id: "hotline-report", "aria-live": "polite" });
  const figures = h("div", { id: "hotline-figures" });
  const drawFigures = async () => {
    const [ind, streets] = await Promise.all([get("/api/v1/indicators"), ctx.streetNames()]);
    const areas = [ind.district, ...(ind.streets || [])].filter(Boolean);
    const value = (area, name) => (area.indicators || []).find((i) => i.name === name);
    const cell = (area, name) => {
      const i = value(area, name);
      if (!i || i.value === null || i.value === undefined) return "—";
      const text = pct(i.value);
      return i.meets_target === true || i.meets_target === false ? h("span", { class: i.meets_target ? "met" : "unmet" }, text) : text;
    };
    mount(figures, table(t("hotline.figuresCaption"),
      [t("ind.street"), ...HOTLINE.map((n) => t(`indicator.${n}`))],
      areas.map((a, i) => [i === 0 && a === ind.district ? t("ind.wholeDistrict") : (streets.get(a.code) || a.code), ...HOTLINE.map((n) => cell(a, n))]),
      { id: "hotline-indicators" }));
  };
  const parts = [h("h2", { tabindex: "-1" }, t("nav.hotline")), h("p", { class: "muted" }, t("hotline.intro"))];
  if (ctx.me.role === "district_admin") {
    const file = h("input", { type: "file", id: "hotline-file", accept: ".csv,text/csv" });
    const form = h("form", { id: "hotline-import", novalidate: true, "aria-labelledby": "hotline-import-title" },
      h("h3", { id: "hotline-import-title" }, t("hotline.importTitle")),
      field(t("hotline.file"), file, t("hotline.format")),
      h("button", { type: "submit", class: "primary" }, t("hotline.import")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = file.files[0];
      if (!f) {
        mount(report, h("p", { class: "error", role: "alert" }, t("hotline.noFile")));
        file.focus();
        return;
      }
      try {
        const out = await api("POST", "/api/v1/imports-hotline", { raw: await f.text(), contentType: "text/csv" });
        const heading = h("h4", { tabindex: "-1", id: "hotline-result" }, t("hotline.done", { name: f.name, n: out.imported }));
        mount(report, heading);
        announce(heading.textContent);
        heading.focus();
        await drawFigures();
      } catch (err) {
        const problems = err instanceof ApiError ? err.details?.problems : null;
        const heading = h("h4", { tabindex: "-1", id: "hotline-result", class: "error" },
          problems ? t("hotline.refused", { name: f.name, n: problems.length }) : `${t("error")}: ${err.message}`);
        mount(report, h("div", { role: "alert" }, heading),
          problems ? table(t("hotline.problems"), [t("hotline.line"), t("hotline.field"), t("hotline.reason")],
            problems.map((p) => [String(p.line), p.field || t("import.wholeRow"), p.message]), { id: "hotline-problems", class: "problems" }) : null);
        heading.focus();
      }
    });
    parts.push(form, report);
  } else {
    parts.push(h("p", { class: "note", id: "hotline-admins-import" }, t("hotline.adminsImport")));
  }
  parts.push(h("h3", {}, t("hotline.figures")), figures);
  mount(root, ...parts);
  await drawFigures();
}
