// Facilities (设施管理): the catalogue as a table to edit and retire, a
// form for new ones, and file import (CSV or GeoJSON) with the server's
// report of every bad row when a file is refused.

import { h, mount, announce, table, field, openDialog, confirmDanger } from "./dom.js";
import { t, kindName } from "./i18n.js";
import { api, getCollection, post, put, ApiError } from "./api.js";
import { KINDS } from "./map.js";

const PRODUCTS = [
  "lawyer", "notarization", "judicial_appraisal", "arbitration",
  "mediation", "legal_aid", "grassroots_legal_service", "legal_education",
];

let filterText = "";
let showRetired = false;

export async function render(root, ctx) {
  const data = await getCollection("/api/v1/facilities?include_retired=true");
  const features = data.features || [];
  const isAdmin = ctx.me.role === "district_admin";

  const tableBox = h("div", { class: "table-box" });
  const search = h("input", { type: "search", id: "facilities-filter", value: filterText, autocomplete: "off" });
  const retiredBox = h("input", { type: "checkbox", id: "show-retired", checked: showRetired });
  const redraw = () => {
    filterText = search.value;
    showRetired = retiredBox.checked;
    drawTable(tableBox, features, ctx, () => render(root, ctx));
  };
  search.addEventListener("input", redraw);
  retiredBox.addEventListener("change", redraw);

  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.facilities")),
    importPanel(ctx, isAdmin, () => render(root, ctx)),
    h("section", { "aria-labelledby": "catalogue-title" },
      h("h3", { id: "catalogue-title" }, t("facilities.catalogue")),
      h("div", { class: "toolbar" },
        h("div", { class: "field" }, h("label", { for: "facilities-filter" }, t("facilities.filter")), search),
        h("div", { class: "check" }, retiredBox, h("label", { for: "show-retired" }, t("facilities.showRetired"))),
        h("button", { type: "button", id: "new-facility", onclick: () => openEditor(null, ctx, () => render(root, ctx)) }, t("facilities.new")),
      ),
      tableBox,
    ),
  );
  redraw();
}

function drawTable(box, features, ctx, reload) {
  const q = filterText.trim().toLowerCase();
  const rows = features.filter((f) => {
    const p = f.properties;
    if (p.retired && !showRetired) return false;
    return !q || p.name.toLowerCase().includes(q) || p.id.toLowerCase().includes(q) || p.area_code.includes(q);
  });
  const shown = rows.slice(0, 200);
  mount(box,
    h("p", { class: "muted", "aria-live": "polite" }, t("facilities.count", { shown: shown.length, total: rows.length })),
    table(t("facilities.catalogue"),
      [t("facility.id"), t("facility.name"), t("facility.kind"), t("facility.area"), t("facility.status"), t("actions")],
      shown.map((f) => {
        const p = f.properties;
        return h("tr", { "data-id": p.id },
          h("td", {}, p.id), h("td", {}, p.name), h("td", {}, kindName(p.kind)), h("td", {}, p.area_code),
          h("td", {}, p.retired ? t("facility.retired") : t("facility.active")),
          h("td", { class: "actions" },
            h("button", { type: "button", "aria-label": `${t("edit")} ${p.name}`, onclick: () => openEditor(f, ctx, reload) }, t("edit")),
            p.retired ? null : h("button", { type: "button", class: "danger", "aria-label": `${t("facilities.retire")} ${p.name}`, onclick: () => confirmRetire(f, reload) }, t("facilities.retire")),
          ));
      })),
  );
}

// ---- edit / create -------------------------------------------------------------
function openEditor(feature, ctx, reload) {
  const p = feature?.properties || {};
  const [lng, lat] = feature?.geometry?.coordinates || ["", ""];
  const input = (name, value, attrs = {}) => h("input", { id: `fe-${name}`, name, value: value ?? "", ...attrs });
  const controls = {
    id: input("id", p.id, { required: true, readonly: feature ? true : false }),
    name: input("name", p.name, { required: true }),
    kind: h("select", { id: "fe-kind", name: "kind" },
      KINDS.map(([k]) => h("option", { value: k, selected: k === p.kind }, kindName(k)))),
    address: input("address", p.address),
    lat: input("lat", lat, { inputmode: "decimal", required: true }),
    lng: input("lng", lng, { inputmode: "decimal", required: true }),
    phone: input("phone", p.phone),
    opening_hours: input("opening_hours", p.opening_hours, { required: true }),
    exceptions: input("exceptions", p.exceptions),
    area_code: input("area_code", p.area_code ?? (ctx.me.street_code || ""), { required: true }),
  };
  const productBoxes = PRODUCTS.map((x) =>
    h("div", { class: "check" },
      h("input", { type: "checkbox", id: `fe-product-${x}`, value: x, checked: (p.products || []).includes(x) }),
      h("label", { for: `fe-product-${x}` }, t(`product.${x}`))));
  const error = h("p", { class: "error", role: "alert", id: "editor-error" });
  const dialog = h("dialog", { class: "editor", "aria-labelledby": "editor-title" });
  const form = h("form", { method: "dialog", novalidate: true },
    h("h3", { id: "editor-title" }, feature ? `${t("edit")}：${p.name}` : t("facilities.new")),
    h("div", { class: "grid2" },
      field(t("facility.id"), controls.id),
      field(t("facility.name"), controls.name),
      field(t("facility.kind"), controls.kind),
      field(t("facility.area"), controls.area_code, t("facilities.areaHint")),
      field(t("facility.lat"), controls.lat),
      field(t("facility.lng"), controls.lng),
      field(t("facility.address"), controls.address),
      field(t("facility.phone"), controls.phone),
      field(t("facility.hours"), controls.opening_hours, "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00"),
      field(t("facility.exceptions"), controls.exceptions, "2025-10-01 off"),
    ),
    h("fieldset", { class: "products" }, h("legend", {}, t("facility.products")), h("small", { class: "hint" }, t("facilities.productsHint")), productBoxes),
    error,
    h("div", { class: "buttons" },
      h("button", { type: "submit", class: "primary", value: "save" }, t("save")),
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel")),
    ),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const products = productBoxes.map((d) => d.querySelector("input")).filter((b) => b.checked).map((b) => b.value);
    const body = {
      id: controls.id.value.trim(),
      kind: controls.kind.value,
      name: controls.name.value.trim(),
      address: controls.address.value.trim() || null,
      lat: Number(controls.lat.value),
      lng: Number(controls.lng.value),
      datum: "wgs84",
      phone: controls.phone.value.trim() || null,
      products: products.length ? products : null,
      opening_hours: controls.opening_hours.value.trim(),
      exceptions: controls.exceptions.value.trim() || null,
      area_code: controls.area_code.value.trim(),
    };
    for (const c of Object.values(controls)) c.removeAttribute("aria-invalid");
    try {
      if (feature) await put(`/api/v1/facilities/${encodeURIComponent(body.id)}`, body);
      else await post("/api/v1/facilities", body);
      dialog.close();
      ctx.invalidate("coverage");
      await reload();
      announce(t("facilities.saved", { name: body.name }));
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
      const bad = err instanceof ApiError && err.field && controls[err.field];
      if (bad) {
        bad.setAttribute("aria-invalid", "true");
        bad.focus();
      }
    }
  });
  openDialog(dialog, form);
  (feature ? controls.name : controls.id).focus();
}

function confirmRetire(feature, reload) {
  const p = feature.properties;
  confirmDanger({
    id: "retire",
    title: t("facilities.retireTitle"),
    text: t("facilities.retireText", { name: p.name }),
    confirmLabel: t("facilities.retire"),
    confirmId: "confirm-retire",
    act: async (close) => {
      await post(`/api/v1/facilities/${encodeURIComponent(p.id)}/retire`);
      close();
      await reload();
      announce(t("facilities.retired", { name: p.name }));
    },
  });
}

// ---- import ----------------------------------------------------------------------
function importPanel(ctx, isAdmin, reload) {
  if (!isAdmin) {
    return h("section", { "aria-labelledby": "import-title" },
      h("h3", { id: "import-title" }, t("import.title")),
      h("p", { class: "note" }, t("import.adminOnly")));
  }
  const kind = h("select", { id: "import-kind", name: "kind" },
    ["facilities", "areas", "duty_posts"].map((k) => h("option", { value: k }, t(`import.kind.${k}`))));
  const file = h("input", { type: "file", id: "import-file", name: "file", accept: ".csv,.geojson,.json,text/csv,application/geo+json", required: true });
  const skip = h("input", { type: "checkbox", id: "import-skip" });
  const report = h("div", { id: "import-report" });
  const form = h("form", { class: "import" },
    h("div", { class: "toolbar" },
      field(t("import.kind"), kind),
      field(t("import.file"), file, t("import.fileHint")),
      h("div", { class: "check" }, skip, h("label", { for: "import-skip" }, t("import.skip"))),
      h("button", { type: "submit", class: "primary", id: "import-submit" }, t("import.submit")),
    ),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = file.files?.[0];
    if (!f) {
      mount(report, h("p", { class: "error", role: "alert" }, t("import.noFile")));
      file.focus();
      return;
    }
    const isCsv = /\.csv$/i.test(f.name);
    const format = isCsv ? "csv" : "geojson";
    const qs = new URLSearchParams({ format, file_name: f.name });
    if (skip.checked) qs.set("skip_bad_rows", "true");
    mount(report, h("p", { class: "muted" }, t("import.uploading", { name: f.name })));
    try {
      const out = await api("POST", `/api/v1/imports/${kind.value}?${qs}`, {
        raw: f, contentType: isCsv ? "text/csv" : "application/geo+json",
      });
      ctx.invalidate("areas");
      ctx.invalidate("coverage");
      const heading = h("h4", { tabindex: "-1", id: "import-result-title" },
        t("import.done", { name: out.file, created: out.created, updated: out.updated, unchanged: out.unchanged }));
      mount(report, heading,
        out.skipped?.length ? problemTable(t("import.skipped", { n: out.skipped.length }), out.skipped) : null);
      announce(heading.textContent);
      heading.focus();
      if (kind.value === "facilities") {
        const keep = report.cloneNode(true);
        await reload();
        document.getElementById("import-report")?.replaceWith(keep);
      }
    } catch (err) {
      const problems = err instanceof ApiError ? err.details?.problems : null;
      const heading = h("h4", { tabindex: "-1", id: "import-result-title", class: "error" },
        problems ? t("import.refused", { name: f.name, n: problems.length }) : `${t("import.failed")}: ${err.message}`);
      mount(report, h("div", { role: "alert" }, heading),
        problems ? problemTable(t("import.problems"), problems) : null);
      heading.focus();
    }
  });
  return h("section", { "aria-labelledby": "import-title" },
    h("h3", { id: "import-title" }, t("import.title")),
    h("p", { class: "muted" }, t("import.intro")),
    form, report);
}

function problemTable(caption, problems) {
  return table(caption,
    [t("import.col.file"), t("import.col.location"), t("import.col.field"), t("import.col.reason")],
    problems.map((p) => [
      p.file,
      p.location?.type === "line" ? t("import.line", { n: p.location.index }) : t("import.feature", { n: p.location?.index }),
      p.field || t("import.wholeRow"),
      p.reason,
    ]),
    { class: "problems", id: "import-problems" });
}
