// The resource map (资源地图): the district drawn from the platform's own
// data as SVG — no tile server, so it works offline. Villages are cells
// coloured by coverage (when the server reports it), facilities markers
// coloured by kind; choosing a facility (click on the map, or the keyboard
// list beside it) draws its 15-minute isochrone when the server has one.

import { h, s, mount, announce, pct } from "./dom.js";
import { t, kindName } from "./i18n.js";
import { get, ApiError } from "./api.js";

/** The 13 kinds in the plan's order, with their marker colours. */
export const KINDS = [
  ["service_center", "#c0392b"],
  ["smart_terminal", "#8e44ad"],
  ["guide_board", "#7f8c8d"],
  ["law_firm", "#1f5fa8"],
  ["grassroots_legal_service_office", "#16a085"],
  ["notary_office", "#d35400"],
  ["judicial_appraisal_institution", "#6d4c41"],
  ["arbitration_institution", "#2c3e50"],
  ["mediation_organization", "#27ae60"],
  ["judicial_office", "#b7950b"],
  ["legal_aid_institution", "#e84393"],
  ["legal_education_site", "#00838f"],
  ["administrative_reconsideration_point", "#5d6d7e"],
];
const KIND_COLOUR = Object.fromEntries(KINDS);

const COVER_COLOURS = {
  covered: "#b7dfb0",
  partial: "#f6d58e",
  uncovered: "#f1a391",
  unknown: "#e4e7eb",
};

const W = 1000;
const RAD = Math.PI / 180;

// ---- projection: Web Mercator, so a configured tile layer would line up ----
function mercX(lng) {
  return lng * RAD;
}
function mercY(lat) {
  return Math.log(Math.tan(Math.PI / 4 + (lat * RAD) / 2));
}

export function makeProjection(points) {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const [lng, lat] of points) {
    const x = mercX(lng), y = mercY(lat);
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  if (!Number.isFinite(minX)) { minX = 0; maxX = 1; minY = 0; maxY = 1; }
  const padX = (maxX - minX) * 0.08 || 0.001;
  const padY = (maxY - minY) * 0.08 || 0.001;
  minX -= padX; maxX += padX; minY -= padY; maxY += padY;
  const scale = W / (maxX - minX);
  const height = Math.round((maxY - minY) * scale);
  // Metres per SVG unit at the box's middle latitude.
  const midLat = (Math.atan(Math.sinh((minY + maxY) / 2)) / RAD);
  const metresPerUnit = (6378137 * Math.cos(midLat * RAD)) / scale;
  return {
    width: W,
    height,
    metresPerUnit,
    project: ([lng, lat]) => [(mercX(lng) - minX) * scale, (maxY - mercY(lat)) * scale],
    unproject: ([x, y]) => [(x / scale + minX) / RAD, Math.atan(Math.sinh(maxY - y / scale)) / RAD],
  };
}

// ---- a configured tile layer (XYZ, Web Mercator) ------------------------------
function tileLng(x, z) {
  return (x / 2 ** z) * 360 - 180;
}
function tileLat(y, z) {
  return Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) / RAD;
}

/** SVG images of the tiles covering the map, about six across. */
export function tileLayer(template, proj) {
  const [west, north] = proj.unproject([0, 0]);
  const [east, south] = proj.unproject([proj.width, proj.height]);
  const z = Math.max(1, Math.min(18, Math.floor(Math.log2((6 * 360) / (east - west)))));
  const n = 2 ** z;
  const tx = (lng) => Math.floor(((lng + 180) / 360) * n);
  const ty = (lat) => Math.floor(((1 - Math.log(Math.tan(lat * RAD) + 1 / Math.cos(lat * RAD)) / Math.PI) / 2) * n);
  const g = s("g", { class: "tiles", "aria-hidden": "true" });
  for (let x = tx(west); x <= tx(east); x++) {
    for (let y = ty(north); y <= ty(south); y++) {
      const [x0, y0] = proj.project([tileLng(x, z), tileLat(y, z)]);
      const [x1, y1] = proj.project([tileLng(x + 1, z), tileLat(y + 1, z)]);
      const href = template.replace("{z}", z).replace("{x}", x).replace("{y}", y).replace("{s}", "a");
      g.append(s("image", { href, x: x0, y: y0, width: x1 - x0, height: y1 - y0, class: "tile", preserveAspectRatio: "none" }));
    }
  }
  return g;
}

// ---- plane geometry --------------------------------------------------------
function cross(o, a, b) {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull (monotone chain), counter-clockwise. */
export function hull(points) {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const lower = [], upper = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower.at(-2), lower.at(-1), q) <= 0) lower.pop();
    lower.push(q);
  }
  for (const q of p.reverse()) {
    while (upper.length >= 2 && cross(upper.at(-2), upper.at(-1), q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** The hull of the points grown by `r` (a rounded outline). */
function grownHull(points, r) {
  const ring = [];
  for (const [x, y] of points) {
    for (let k = 0; k < 16; k++) {
      const a = (k / 16) * 2 * Math.PI;
      ring.push([x + r * Math.cos(a), y + r * Math.sin(a)]);
    }
  }
  return hull(ring);
}

/** Keeps the part of a convex polygon where (q - m)·n <= 0. */
function clipHalfPlane(poly, m, n) {
  const out = [];
  const side = (q) => (q[0] - m[0]) * n[0] + (q[1] - m[1]) * n[1];
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i], b = poly[(i + 1) % poly.length];
    const sa = side(a), sb = side(b);
    if (sa <= 0) out.push(a);
    if ((sa < 0 && sb > 0) || (sa > 0 && sb < 0)) {
      const k = sa / (sa - sb);
      out.push([a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k]);
    }
  }
  return out;
}

/** Voronoi cells of `sites` inside the convex polygon `bound`. */
export function voronoi(sites, bound) {
  return sites.map((pi, i) => {
    let cell = bound;
    for (let j = 0; j < sites.length && cell.length; j++) {
      if (j === i) continue;
      const pj = sites[j];
      const m = [(pi[0] + pj[0]) / 2, (pi[1] + pj[1]) / 2];
      cell = clipHalfPlane(cell, m, [pj[0] - pi[0], pj[1] - pi[1]]);
    }
    return cell;
  });
}

const ringPath = (ring) =>
  ring.length ? `M${ring.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join("L")}Z` : "";

/** An SVG path for a GeoJSON Polygon/MultiPolygon geometry. */
function geometryPath(geometry, project) {
  if (!geometry) return "";
  const polys =
    geometry.type === "Polygon" ? [geometry.coordinates] :
    geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  return polys.map((rings) => rings.map((r) => ringPath(r.map(project))).join("")).join("");
}

function coverageState(v) {
  if (!v) return "unknown";
  if (v.covered_all) return "covered";
  return v.products?.some((p) => p.covered) ? "partial" : "uncovered";
}

// ---- the section -------------------------------------------------------------
let selectedId = null;
let hiddenKinds = new Set();
let viewBox = null;

export async function render(root, ctx) {
  mount(root, h("h2", { tabindex: "-1" }, t("map.title")), h("p", { class: "muted" }, t("loading")));
  const [areas, facilities, coverage, config] = await Promise.all([
    ctx.areas(),
    get("/api/v1/facilities"),
    ctx.coverage(),
    ctx.config(),
  ]);
  draw(root, ctx, areas.features || [], facilities.features || [], coverage, config);
}

function draw(root, ctx, areaFeatures, facilityFeatures, coverage, config) {
  const villages = areaFeatures.filter((f) => f.properties.level === "village");
  const streets = areaFeatures.filter((f) => f.properties.level === "street");
  const district = areaFeatures.find((f) => f.properties.level === "district");
  const pointOf = (f) =>
    f.geometry?.type === "Point" ? f.geometry.coordinates : [f.properties.lng, f.properties.lat];
  const allPoints = [...villages, ...streets, ...facilityFeatures].map(pointOf).filter((p) => p && Number.isFinite(p[0]));
  const proj = makeProjection(allPoints);
  const project = proj.project;
  if (!viewBox) viewBox = [0, 0, proj.width, proj.height];

  const byVillage = new Map((coverage?.villages || []).map((v) => [v.code, v]));
  const streetName = new Map(streets.map((f) => [f.properties.code, f.properties.name]));

  // District outline: its boundary when imported, else the points' hull
  // grown by about 800 m.
  const grow = 800 / proj.metresPerUnit;
  const projected = allPoints.map(project);
  const outline = grownHull(projected, grow);
  const districtPath =
    district && district.geometry?.type !== "Point" ? geometryPath(district.geometry, project) : ringPath(outline);

  // Village cells: their boundary when imported, else Voronoi cells.
  const sites = villages.map((f) => project(pointOf(f)));
  const cells = voronoi(sites, outline);
  const villageLayer = s("g", { class: "villages" });
  villages.forEach((f, i) => {
    const p = f.properties;
    const cov = byVillage.get(p.code);
    const state = coverage ? coverageState(cov) : "unknown";
    const d = f.geometry?.type === "Point" ? ringPath(cells[i]) : geometryPath(f.geometry, project);
    villageLayer.append(
      s("path", { d, fill: COVER_COLOURS[state], class: "village", "data-code": p.code, "data-coverage": state },
        s("title", {}, `${p.name} · ${t(`coverage.${state}`)}`)),
    );
  });

  const streetLayer = s("g", { class: "street-labels", "aria-hidden": "true" });
  for (const f of streets) {
    const [x, y] = project(pointOf(f));
    streetLayer.append(s("text", { x, y, class: "street-label", "text-anchor": "middle" }, f.properties.name));
  }

  const isoLayer = s("g", { class: "isochrone" });
  const markerLayer = s("g", { class: "facilities" });
  const markers = new Map();
  for (const f of facilityFeatures) {
    const p = f.properties;
    const [x, y] = project(f.geometry.coordinates);
    const m = s("circle", {
      cx: x.toFixed(1), cy: y.toFixed(1), r: 6,
      fill: KIND_COLOUR[p.kind] || "#333", class: "marker",
      "data-id": p.id, "data-kind": p.kind,
      onclick: () => select(p.id, { focusList: true }),
    }, s("title", {}, `${p.name}（${kindName(p.kind)}）`));
    markers.set(p.id, m);
    markerLayer.append(m);
  }

  const summaryId = "map-summary";
  const svg = s("svg", {
    id: "district-map", role: "img", "aria-labelledby": "map-svg-title", "aria-describedby": summaryId,
    viewBox: viewBox.join(" "), preserveAspectRatio: "xMidYMid meet",
  },
    s("title", { id: "map-svg-title" }, t("map.svgTitle")),
    config?.tile_url ? tileLayer(config.tile_url, proj) : null,
    s("path", { d: districtPath, class: config?.tile_url ? "district over-tiles" : "district" }),
    villageLayer, streetLayer, isoLayer, markerLayer,
  );
  enablePanZoom(svg, proj);

  // ---- the keyboard side: kinds (legend + filter), search, list ----
  const kindCounts = new Map();
  for (const f of facilityFeatures) kindCounts.set(f.properties.kind, (kindCounts.get(f.properties.kind) || 0) + 1);
  const kindBoxes = h("fieldset", { class: "kinds" },
    h("legend", {}, t("map.kinds")),
    KINDS.filter(([k]) => kindCounts.has(k)).map(([k, colour]) => {
      const box = h("input", { type: "checkbox", id: `kind-${k}`, checked: !hiddenKinds.has(k), "data-kind": k,
        onchange: (e) => { e.target.checked ? hiddenKinds.delete(k) : hiddenKinds.add(k); applyFilter(); } });
      return h("div", { class: "kind" }, box,
        h("label", { for: `kind-${k}` }, h("span", { class: "swatch", style: { background: colour }, "aria-hidden": "true" }), `${kindName(k)} (${kindCounts.get(k)})`));
    }),
  );
  const search = h("input", { type: "search", id: "facility-search", autocomplete: "off", oninput: () => applyFilter() });
  const list = h("ul", { class: "facility-list", id: "facility-list", "aria-label": t("map.facilityList") });
  const items = new Map();
  for (const f of facilityFeatures) {
    const p = f.properties;
    const b = h("button", { type: "button", class: "facility-item", "data-id": p.id, "aria-pressed": "false",
      onclick: () => select(p.id, {}) },
      h("span", { class: "swatch", style: { background: KIND_COLOUR[p.kind] || "#333" }, "aria-hidden": "true" }), p.name);
    items.set(p.id, b);
    list.append(h("li", {}, b));
  }
  // Arrow keys move through the list; Home/End jump.
  list.addEventListener("keydown", (e) => {
    const visible = [...list.querySelectorAll("li:not([hidden]) button")];
    const i = visible.indexOf(document.activeElement);
    let j = null;
    if (e.key === "ArrowDown") j = Math.min(i + 1, visible.length - 1);
    else if (e.key === "ArrowUp") j = Math.max(i - 1, 0);
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = visible.length - 1;
    if (j !== null && visible[j]) { e.preventDefault(); visible[j].focus(); }
  });

  const details = h("div", { class: "facility-details", id: "facility-details", "aria-live": "polite" });

  function applyFilter() {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const f of facilityFeatures) {
      const p = f.properties;
      const visible = !hiddenKinds.has(p.kind) && (!q || p.name.toLowerCase().includes(q) || p.id.toLowerCase().includes(q));
      markers.get(p.id).classList.toggle("hidden", !visible);
      items.get(p.id).parentElement.hidden = !visible;
      if (visible) shown++;
    }
    countEl.textContent = t("map.shown", { n: shown, total: facilityFeatures.length });
  }

  async function select(id, { focusList }) {
    selectedId = id;
    for (const [fid, m] of markers) m.classList.toggle("selected", fid === id);
    for (const [fid, b] of items) b.setAttribute("aria-pressed", String(fid === id));
    const marker = markers.get(id);
    if (marker) markerLayer.append(marker); // on top
    if (focusList) items.get(id)?.focus();
    const f = facilityFeatures.find((x) => x.properties.id === id);
    if (!f) return;
    const p = f.properties;
    const isoNote = h("p", { class: "muted", id: "isochrone-status" }, t("map.isoLoading"));
    mount(details,
      h("h3", {}, p.name),
      h("dl", {},
        h("dt", {}, t("facility.kind")), h("dd", {}, kindName(p.kind)),
        h("dt", {}, t("facility.address")), h("dd", {}, p.address || "—"),
        h("dt", {}, t("facility.hours")), h("dd", {}, p.opening_hours || "—"),
        h("dt", {}, t("facility.products")), h("dd", {}, (p.products || []).map((x) => t(`product.${x}`)).join("、") || "—"),
        h("dt", {}, t("facility.area")), h("dd", {}, p.area_code),
      ),
      isoNote,
    );
    isoLayer.replaceChildren();
    try {
      const iso = await get(`/api/v1/facilities/${encodeURIComponent(id)}/isochrone`);
      if (selectedId !== id) return;
      const geom = iso?.geometry || iso?.features?.[0]?.geometry;
      const d = geometryPath(geom, project);
      if (d) {
        isoLayer.append(s("path", { d, class: "iso", "data-id": id }));
        const minutes = iso?.properties?.minutes ?? 15;
        isoNote.textContent = t("map.isoShown", { name: p.name, minutes });
      } else {
        isoNote.textContent = t("map.isoEmpty");
      }
    } catch (e) {
      if (selectedId !== id) return;
      isoNote.textContent =
        e instanceof ApiError && e.missingEndpoint ? t("map.isoUnavailable") :
        e instanceof ApiError && e.status === 409 ? t("map.isoNoNetwork") : `${t("map.isoError")}: ${e.message}`;
    }
    announce(t("map.selected", { name: p.name }));
  }

  // ---- coverage legend and note ----
  const legend = h("ul", { class: "legend", "aria-label": t("map.coverageLegend") },
    ["covered", "partial", "uncovered", "unknown"].map((k) =>
      h("li", {}, h("span", { class: "swatch", style: { background: COVER_COLOURS[k] }, "aria-hidden": "true" }), t(`coverage.${k}`))),
  );
  let coverageNote;
  if (coverage) {
    const d = coverage.district || {};
    coverageNote = h("p", { id: "coverage-note" },
      t("map.coverageRate", { covered: d.villages_covered ?? 0, total: d.villages ?? villages.length, rate: pct(d.rate) }),
      " ", coverage.distance_basis?.basis ? t(`basis.${coverage.distance_basis.basis}`, { factor: coverage.distance_basis.factor }) : "");
  } else {
    coverageNote = h("p", { id: "coverage-note", class: "note" }, t("map.coverageUnavailable"));
  }

  const countEl = h("p", { class: "muted", id: "facility-count", "aria-live": "polite" });
  const zoomBar = h("div", { class: "zoom", role: "group", "aria-label": t("map.zoom") },
    h("button", { type: "button", onclick: () => zoomBy(svg, 0.7), "aria-label": t("map.zoomIn") }, "+"),
    h("button", { type: "button", onclick: () => zoomBy(svg, 1 / 0.7), "aria-label": t("map.zoomOut") }, "−"),
    h("button", { type: "button", onclick: () => { viewBox = [0, 0, proj.width, proj.height]; svg.setAttribute("viewBox", viewBox.join(" ")); } }, t("map.reset")),
  );

  mount(root,
    h("h2", { tabindex: "-1" }, t("map.title")),
    h("p", { id: summaryId, class: "muted" },
      t("map.summary", { facilities: facilityFeatures.length, villages: villages.length, streets: streets.length })),
    h("div", { class: "map-layout" },
      h("div", { class: "map-pane" }, zoomBar, svg, legend, coverageNote,
        config?.tile_url && config.tile_attribution ? h("p", { class: "muted attribution" }, config.tile_attribution) : null),
      h("div", { class: "map-side" },
        kindBoxes,
        h("div", { class: "field" }, h("label", { for: "facility-search" }, t("map.search")), search),
        countEl, list, details),
    ),
  );
  applyFilter();
  if (selectedId && items.has(selectedId)) select(selectedId, {});
  ctx.streetName = streetName;
}

function zoomBy(svg, factor, cx, cy) {
  const [x, y, w, hgt] = viewBox;
  const px = cx ?? x + w / 2, py = cy ?? y + hgt / 2;
  const nw = Math.max(60, Math.min(w * factor, 4000)), nh = (hgt * nw) / w;
  viewBox = [px - ((px - x) * nw) / w, py - ((py - y) * nh) / hgt, nw, nh];
  svg.setAttribute("viewBox", viewBox.map((v) => v.toFixed(1)).join(" "));
}

function enablePanZoom(svg) {
  const toUser = (e) => {
    const r = svg.getBoundingClientRect();
    const [x, y, w, hgt] = viewBox;
    const k = Math.max(w / r.width, hgt / r.height);
    const ox = x + (w - r.width * k) / 2, oy = y + (hgt - r.height * k) / 2;
    return [ox + (e.clientX - r.left) * k, oy + (e.clientY - r.top) * k, k];
  };
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    const [ux, uy] = toUser(e);
    zoomBy(svg, e.deltaY > 0 ? 1.2 : 1 / 1.2, ux, uy);
  }, { passive: false });
  let drag = null;
  svg.addEventListener("pointerdown", (e) => {
    if (e.target.classList?.contains("marker")) return;
    drag = { x: e.clientX, y: e.clientY, vb: [...viewBox], k: toUser(e)[2] };
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener("pointermove", (e) => {
    if (!drag) return;
    viewBox = [drag.vb[0] - (e.clientX - drag.x) * drag.k, drag.vb[1] - (e.clientY - drag.y) * drag.k, drag.vb[2], drag.vb[3]];
    svg.setAttribute("viewBox", viewBox.map((v) => v.toFixed(1)).join(" "));
  });
  const end = () => { drag = null; };
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
}
