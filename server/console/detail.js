// One order in full (工单详情): its facts and timeline, the call-backs
// made about it (回访, with a form to record one; on a resolved order the
// requester's rating goes with it), and
// its need — description, channel, place on a small map, attachments and
// the requester masked — read only after staff give a reason (the server
// audits the read); the full contact is a second audited read with its own
// reason.

import { h, s, mount, announce, table, field, fmtTime, requiredText } from "./dom.js";
import { t } from "./i18n.js";
import { get, post, token, ApiError } from "./api.js";

/** Account names by id (ids the caller may not list stay ids). */
async function accountNames() {
  const page = await get("/api/v1/accounts?limit=500").catch(() => ({ items: [] }));
  return new Map((page.items || []).map((a) => [String(a.id), a.display_name]));
}

function nameOf(names, id) {
  if (!id) return "—";
  if (names.has(String(id))) return names.get(String(id));
  // Not an account: the platform itself (intake, the background job, a call-back).
  return /^\d+$/.test(String(id)) ? String(id) : `${t("detail.system")} (${id})`;
}

/** A definition list from [label, value] pairs (empty values skipped). */
function facts(pairs, id) {
  return h("dl", { class: "service-facts", id },
    pairs.filter(([, v]) => v !== undefined && v !== null && v !== "").flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

/** The order's timeline, oldest first. */
export function timeline(order, names) {
  const steps = order.history || [];
  if (!steps.length) return h("p", { class: "muted" }, t("detail.noHistory"));
  return h("ol", { class: "timeline", id: "order-timeline" },
    steps.map((st) => h("li", { "data-event": st.event?.event || "" },
      h("time", { datetime: st.at }, fmtTime(st.at)), " ",
      h("strong", {}, t(`event.${st.event?.event}`) === `event.${st.event?.event}` ? st.event?.event : t(`event.${st.event?.event}`)), " ",
      `${t(`orderState.${st.from}`)} → ${t(`orderState.${st.to}`)} · ${nameOf(names, st.actor?.id)}`,
      st.reason ? h("span", { class: "reason" }, ` · ${t("detail.reason")}: ${st.reason}`) : null)));
}

/** The last decline of an order that went back to open, if that is its latest step. */
export function lastDecline(order) {
  const steps = order.history || [];
  const last = steps[steps.length - 1];
  return last && last.event?.event === "decline" && order.state === "open" ? last : null;
}

/** The call-backs about an order as a table. */
export function callBackTable(entries, names, id = "call-backs") {
  if (!entries.length) return h("p", { class: "muted", id: `${id}-none` }, t("callBack.none"));
  return table(t("callBack.caption", { n: entries.length }),
    [t("callBack.at"), t("callBack.by"), t("callBack.source"), t("callBack.outcome"), t("callBack.score"), t("callBack.note")],
    entries.map((e) => h("tr", { "data-source": e.source },
      h("td", {}, fmtTime(e.at)), h("td", {}, nameOf(names, e.by_account)),
      h("td", {}, e.source === "warning" ? `${t("callBack.fromWarning")} ${e.warning_id}` : t("callBack.fromRating")),
      h("td", {}, e.outcome ? t(`callBack.outcome.${e.outcome}`) : "—"),
      h("td", {}, e.score ?? "—"), h("td", {}, e.note))),
    { id });
}

/**
 * The form recording a call-back (回访) on any order; on a resolved order
 * not yet rated, a reached requester's rating goes with it.
 */
function callBackForm(order, after) {
  const withRating = order.state === "resolved";
  const outcome = h("select", { id: "cb-outcome" },
    ["reached", "not_reached", "refused"].map((o) => h("option", { value: o }, t(`callBack.outcome.${o}`))));
  const score = h("select", { id: "cb-score" }, [5, 4, 3, 2, 1].map((n) => h("option", { value: n }, String(n))));
  const comment = h("input", { id: "cb-comment" });
  const note = h("textarea", { id: "cb-note", rows: 2 });
  const error = h("p", { class: "error", role: "alert", id: "cb-error" });
  const scoreField = field(t("callBack.score"), score);
  const commentField = field(t("callBack.comment"), comment);
  const sync = () => {
    const rated = withRating && outcome.value === "reached";
    scoreField.hidden = !rated;
    commentField.hidden = !rated;
  };
  outcome.addEventListener("change", sync);
  sync();
  const form = h("form", { id: "call-back-form", novalidate: true, "aria-labelledby": "cb-title" },
    h("h4", { id: "cb-title" }, t(withRating ? "callBack.record" : "callBack.recordFollowUp")),
    field(t("callBack.outcome"), outcome), scoreField, commentField, field(t("callBack.note"), note, t("callBack.noteHint")), error,
    h("button", { type: "submit", class: "primary" }, t("callBack.save")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (requiredText(note, error, t("callBack.noteRequired")) === null) return;
    const rated = withRating && outcome.value === "reached";
    try {
      await post(`/api/v1/orders/${encodeURIComponent(order.id)}/call-backs`, {
        outcome: outcome.value, note: note.value.trim(),
        score: rated ? Number(score.value) : undefined,
        comment: rated && comment.value.trim() ? comment.value.trim() : undefined,
      });
      announce(t("callBack.saved", { id: order.id }));
      await after();
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
    }
  });
  return form;
}

/** The need's place: the point among the centroids of its street's
 * villages (the areas are points unless boundaries were imported; then
 * the need's own area is outlined too). */
function placeMap(point, areaCode, areas) {
  const street = areaCode.slice(0, 9);
  const features = (areas.features || []).filter((f) => f.properties.code.startsWith(street));
  const own = features.find((f) => f.properties.code === areaCode);
  const rings = [];
  const geom = own?.geometry;
  if (geom?.type === "Polygon") rings.push(...geom.coordinates);
  if (geom?.type === "MultiPolygon") for (const p of geom.coordinates) rings.push(...p);
  const centroids = features
    .filter((f) => f.properties.level === "village")
    .map((f) => ({ name: f.properties.name, at: f.geometry?.type === "Point" ? f.geometry.coordinates : [f.properties.lng, f.properties.lat] }))
    .filter((c) => Number.isFinite(c.at[0]) && Number.isFinite(c.at[1]));
  const pts = [...rings.flat(), ...centroids.map((c) => c.at)];
  if (point) pts.push([point.lng, point.lat]);
  if (!pts.length) return null;
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = Math.max(x1 - x0, y1 - y0, 0.004) * 0.1;
  x0 -= pad; x1 += pad; y0 -= pad; y1 += pad;
  const W = 320, H = 220;
  const k = Math.min(W / (x1 - x0 || 1), H / ((y1 - y0) * 1.13 || 1));
  const px = (lng) => (lng - x0) * k;
  const py = (lat) => H - (lat - y0) * k * 1.13;
  return h("figure", { class: "need-place-box" },
    s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", class: "need-place", id: "need-place",
      "aria-label": point ? t("detail.placeLabel", { lat: point.lat.toFixed(5), lng: point.lng.toFixed(5) }) : t("detail.areaOnly") },
    rings.map((r) => s("polygon", { points: r.map((c) => `${px(c[0]).toFixed(1)},${py(c[1]).toFixed(1)}`).join(" "), class: "area" })),
    centroids.map((c) => s("circle", { cx: px(c.at[0]).toFixed(1), cy: py(c.at[1]).toFixed(1), r: 3, class: "village" }, s("title", {}, c.name))),
    point ? s("circle", { cx: px(point.lng).toFixed(1), cy: py(point.lat).toFixed(1), r: 6, class: "need-point" }) : null),
    h("figcaption", { class: "muted" }, t("detail.placeCaption")));
}

/** Reads an attachment (audited with `reason`) into a Blob. */
async function readAttachment(sha256, reason) {
  const res = await fetch(`/api/v1/attachments/${encodeURIComponent(sha256)}?reason=${encodeURIComponent(reason)}`, {
    headers: { authorization: `Bearer ${token()}` },
  });
  if (!res.ok) {
    let body = null;
    try { body = await res.json(); } catch { body = null; }
    throw new ApiError(res.status, body?.error);
  }
  return res.blob();
}

function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

/** One attachment: images shown, PDFs (and anything else) as a download. */
async function attachmentView(a, i, reason) {
  const label = t("detail.attachmentN", { n: i + 1, type: a.media_type, kb: Math.max(1, Math.round(a.size / 1024)) });
  try {
    const blob = await readAttachment(a.sha256, reason);
    if (/^image\/(png|jpeg|webp)$/.test(a.media_type)) {
      return h("figure", { class: "attachment", "data-sha": a.sha256 },
        h("img", { src: await dataUrl(blob), alt: label }), h("figcaption", {}, label));
    }
    const ext = a.media_type === "application/pdf" ? "pdf" : "bin";
    return h("p", { class: "attachment", "data-sha": a.sha256 },
      h("a", { href: URL.createObjectURL(blob), download: `${a.sha256.slice(0, 12)}.${ext}` }, `${t("detail.download")} · ${label}`));
  } catch (e) {
    return h("p", { class: "error", "data-sha": a.sha256 }, `${label}: ${e.message}`);
  }
}

/** Asks for a reason inline, then runs `onReason(reason)`. */
function reasonForm(id, label, submitLabel, onReason) {
  const input = h("input", { id: `${id}-reason`, autocomplete: "off" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { id, class: "reason-form", novalidate: true },
    field(label, input, t("detail.reasonHint")), error,
    h("button", { type: "submit" }, submitLabel));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const reason = input.value.trim();
    if (!reason) {
      error.textContent = t("detail.reasonRequired");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    try {
      error.textContent = "";
      await onReason(reason);
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
      input.focus();
    }
  });
  return { form, input };
}

/** The need, read with `reason`. */
async function needSection(box, needId, reason, ctx) {
  const need = await get(`/api/v1/needs/${encodeURIComponent(needId)}?reason=${encodeURIComponent(reason)}`);
  const point = need.location?.point || null;
  const areas = await ctx.areas();
  const contactBox = h("div", { id: "contact-box" });
  const contact = reasonForm("contact-form", t("detail.contactReason"), t("detail.showContact"), async (why) => {
    const c = await get(`/api/v1/needs/${encodeURIComponent(needId)}/contact?reason=${encodeURIComponent(why)}`);
    mount(contactBox, facts([[t("detail.requester"), c.name], [t("detail.phone"), c.phone], [t("detail.idNumber"), c.id_number]], "need-contact"));
    contact.form.remove();
    announce(t("detail.contactShown"));
  });
  const attachments = need.attachments || [];
  const attachmentBox = h("div", { id: "attachments", class: "attachments" }, h("p", { class: "muted" }, t("loading")));
  mount(box,
    facts([
      [t("detail.category"), need.category], [t("detail.channel"), t(`channel.${need.channel}`) === `channel.${need.channel}` ? need.channel : t(`channel.${need.channel}`)],
      [t("detail.urgency"), need.urgency], [t("detail.entered"), fmtTime(need.entered_at)],
      [t("detail.address"), need.address], [t("detail.area"), need.area_code],
      [t("detail.requester"), need.requester_name], [t("detail.phone"), need.requester_phone], [t("detail.idNumber"), need.requester_id_number],
      [t("detail.enterprise"), need.enterprise_name],
    ], "need-facts"),
    h("h4", {}, t("detail.description")),
    h("p", { class: "description", id: "need-description" }, need.description || t("detail.erased")),
    h("h4", {}, t("detail.place")),
    placeMap(point, need.area_code, areas) || h("p", { class: "muted" }, t("detail.noPlace")),
    h("h4", {}, t("detail.attachments")),
    attachments.length ? attachmentBox : h("p", { class: "muted", id: "no-attachments" }, t("detail.noAttachments")),
    h("h4", {}, t("detail.contact")),
    contactBox, contact.form);
  if (attachments.length) {
    mount(attachmentBox, await Promise.all(attachments.map((a, i) => attachmentView(a, i, reason))));
  }
}

/**
 * Opens the order's detail as a modal dialog. `onChange` runs after the
 * dialog changed the order (a call-back with a rating).
 */
export async function openOrderDetail(orderId, ctx, { onChange } = {}) {
  const [order, names] = await Promise.all([get(`/api/v1/orders/${encodeURIComponent(orderId)}`), accountNames()]);
  const dialog = h("dialog", { "aria-labelledby": "detail-title", id: "order-detail", class: "wide" });
  const callBacksBox = h("div", { id: "call-backs-box" });
  const needBox = h("div", { id: "need-box" });
  const drawCallBacks = async () => {
    const current = await get(`/api/v1/orders/${encodeURIComponent(orderId)}`);
    const entries = await get(`/api/v1/orders/${encodeURIComponent(orderId)}/call-backs`).catch(() => []);
    mount(callBacksBox, callBackTable(entries, names),
      callBackForm(current, async () => { await drawCallBacks(); await onChange?.(); }));
  };
  const needReason = reasonForm("need-reason-form", t("detail.needReason"), t("detail.readNeed"), async (reason) => {
    await needSection(needBox, order.need_id, reason, ctx);
    needReason.form.remove();
    needBox.querySelector("h4")?.setAttribute("tabindex", "-1");
  });
  const close = h("button", { type: "button", id: "detail-close", onclick: () => dialog.close() }, t("close"));
  dialog.append(
    h("h3", { id: "detail-title", tabindex: "-1" }, t("detail.title", { id: order.id })),
    facts([
      [t("orders.category"), order.category], [t("detail.kind"), t(`orderKind.${order.kind}`)],
      [t("orders.state"), t(`orderState.${order.state}`)],
      [t("orders.where"), `${t(`level.${order.level}`)} ${order.area_code}`],
      [t("orders.assignee"), nameOf(names, order.assignee)], [t("detail.created"), fmtTime(order.created_at)],
      [t("orders.deadline"), fmtTime(order.deadline)], [t("detail.urgentQ"), order.urgent ? t("orders.urgent") : ""],
    ], "order-facts"),
    h("h4", {}, t("detail.timeline")), timeline(order, names),
    h("h4", {}, t("callBack.title")), callBacksBox,
    h("h4", {}, t("detail.need")),
    h("p", { class: "muted" }, t("detail.masked")),
    needReason.form, needBox,
    h("div", { class: "buttons" }, close));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  await drawCallBacks();
  dialog.querySelector("#detail-title").focus();
  return dialog;
}
