// The orders board (工单调度): the orders the caller may see, updated live
// from the server's event stream (SSE, read with fetch so the bearer token
// goes in a header); dispatch (派单) from the ranked suggestions, and
// transfer across levels (district → street → village).

import { h, mount, announce, table, field, fmtTime, openDialog } from "./dom.js";
import { t, lang } from "./i18n.js";
import { get, getAll, post, token } from "./api.js";
import { openOrderDetail, lastDecline } from "./detail.js";

// What staff dispatch: escalated (上报) and transferred (转办) orders, and
// open service orders (also after a volunteer declined one); an open
// consultation is grabbed by volunteers, not dispatched.
function dispatchable(o) {
  return o.state === "escalated" || o.state === "transferred" || (o.state === "open" && o.kind !== "consultation");
}

let stream = null; // AbortController of the live connection
// Orders this console just changed: their echo on the event stream is not
// announced again over the confirmation.
const ownChanges = new Set();

/** The states of orders still in progress (not closed, cancelled or evaluated). */
const ACTIVE_STATES = ["submitted", "open", "claimed", "assigned", "in_progress", "resolved", "transferred", "escalated"];
function markOwn(id) {
  ownChanges.add(id);
  setTimeout(() => ownChanges.delete(id), 5000);
}

export function dispose() {
  stream?.abort();
  stream = null;
}

export async function render(root, ctx) {
  if (!(await ctx.has("/api/v1/orders"))) {
    mount(root, h("h2", { tabindex: "-1" }, t("nav.orders")),
      h("p", { class: "note", id: "orders-unavailable" }, t("notYet", { what: t("nav.orders") })));
    return;
  }
  const live = h("p", { class: "muted", id: "live-status", "aria-live": "polite" }, t("orders.connecting"));
  const box = h("div", { id: "orders-box" });
  mount(root, h("h2", { tabindex: "-1" }, t("nav.orders")), live, exportsBox(), box);
  const refresh = async () => {
    // The board shows orders still in progress: only those are read, a
    // page after another (the API answers at most 500 a page).
    const { items: orders } = await getAll(`/api/v1/orders?state=${ACTIVE_STATES.join(",")}`);
    drawBoard(box, orders, ctx, refresh);
  };
  await refresh();
  dispose();
  if (ctx.has && (await ctx.has("/api/v1/events"))) connect(live, refresh);
}

function drawBoard(box, orders, ctx, refresh) {
  const active = orders.filter((o) => !["closed", "cancelled", "evaluated"].includes(o.state));
  mount(box,
    active.length
      ? table(t("orders.caption", { n: active.length }),
          [t("orders.id"), t("orders.category"), t("orders.state"), t("orders.where"), t("orders.assignee"), t("orders.deadline"), t("actions")],
          active.map((o) => h("tr", { "data-id": o.id, "data-state": o.state },
            h("td", {}, o.id, o.urgent ? h("span", { class: "badge high" }, t("orders.urgent")) : null),
            h("td", {}, o.category),
            h("td", {}, t(`orderState.${o.state}`), declinedNote(o)),
            h("td", {}, `${t(`level.${o.level}`)} ${o.area_code}`),
            h("td", {}, o.assignee || "—"),
            h("td", {}, fmtTime(o.deadline)),
            h("td", { class: "actions" },
              h("button", { type: "button", "aria-label": `${t("orders.details")} ${o.id}`,
                onclick: () => openOrderDetail(o.id, ctx, { onChange: refresh }).catch((e) => announce(`${t("error")}: ${e.message}`, "error")) }, t("orders.details")),
              dispatchable(o) ? h("button", { type: "button", class: "primary", "aria-label": `${t("orders.dispatch")} ${o.id}`,
                onclick: () => dispatchDialog(o, refresh) }, t("orders.dispatch")) : null,
              h("button", { type: "button", "aria-label": `${t("orders.transfer")} ${o.id}`,
                onclick: () => transferDialog(o, ctx, refresh) }, t("orders.transfer"))))),
          { id: "orders" })
      : h("p", { class: "muted", id: "no-orders" }, t("orders.none")));
}

/** "Declined by …: reason" under an open order a volunteer handed back. */
function declinedNote(o) {
  const d = lastDecline(o);
  if (!d) return null;
  return h("small", { class: "declined", "data-declined": "true" }, ` · ${t("orders.declined")}${d.reason ? `：${d.reason}` : ""}`);
}

/** Reads the server-sent events with fetch, reconnecting with back-off. */
async function connect(live, refresh) {
  const controller = new AbortController();
  stream = controller;
  let delay = 1000;
  while (!controller.signal.aborted) {
    try {
      const res = await fetch("/api/v1/events", {
        headers: { authorization: `Bearer ${token()}`, accept: "text/event-stream" },
        signal: controller.signal,
      });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      live.textContent = t("orders.live");
      live.dataset.connected = "true";
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
          if (!data) continue;
          let change = null;
          try { change = JSON.parse(data); } catch { change = null; }
          await refresh();
          if (change?.order_id && !ownChanges.has(change.order_id)) announce(t("orders.changed", { id: change.order_id, state: t(`orderState.${change.state}`) }));
        }
      }
    } catch (e) {
      if (controller.signal.aborted) return;
      live.textContent = t("orders.reconnecting");
      live.dataset.connected = "false";
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 30000);
  }
}

function dialogShell(titleText, body, onSubmit, submitLabel) {
  const error = h("p", { class: "error", role: "alert" });
  const dialog = h("dialog", { "aria-labelledby": "order-dialog-title" });
  const form = h("form", { novalidate: true },
    h("h3", { id: "order-dialog-title" }, titleText), body, error,
    h("div", { class: "buttons" },
      h("button", { type: "submit", class: "primary" }, submitLabel),
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await onSubmit();
      dialog.close();
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
    }
  });
  openDialog(dialog, form);
  return dialog;
}

async function dispatchDialog(order, refresh) {
  const [suggestions, accounts] = await Promise.all([
    get(`/api/v1/orders/${encodeURIComponent(order.id)}/suggestions`),
    get("/api/v1/accounts?limit=500").catch(() => ({ items: [] })),
  ]);
  const names = new Map((accounts.items || []).map((a) => [String(a.id), a.display_name]));
  const list = h("fieldset", { class: "suggestions" }, h("legend", {}, t("orders.suggestions")),
    suggestions.length ? suggestions.map((sg, i) => h("div", { class: "check" },
      h("input", { type: "radio", name: "assignee", id: `sg-${sg.candidate_id}`, value: sg.candidate_id, checked: i === 0,
        "aria-describedby": sg.factors ? `sg-why-${sg.candidate_id}` : null }),
      h("label", { for: `sg-${sg.candidate_id}` },
        `#${sg.rank} ${names.get(String(sg.candidate_id)) || sg.candidate_id} · ${t("orders.score")} ${Number(sg.score).toFixed(2)}`,
        sg.specialty_match ? ` · ${t("orders.specialtyMatch")}` : ""),
      // Why: each factor's points and its reason, from the server.
      sg.factors ? h("small", { class: "hint", id: `sg-why-${sg.candidate_id}` },
        sg.factors.map((f) => `${lang() === "en" ? f.reason_en : f.reason_zh} (${Number(f.points).toFixed(1)}/${f.max})`).join(" · ")) : null))
      : h("p", { class: "muted" }, t("orders.noSuggestions")));
  const dialog = dialogShell(t("orders.dispatchTitle", { id: order.id }), list, async () => {
    const chosen = list.querySelector("input[name=assignee]:checked");
    if (!chosen) throw new Error(t("orders.noSuggestions"));
    markOwn(order.id);
    await post(`/api/v1/orders/${encodeURIComponent(order.id)}/events`, {
      event: { event: "assign", assignee: chosen.value }, version: order.version,
    });
    await refresh();
    announce(t("orders.dispatched", { id: order.id }));
  }, t("orders.dispatch"));
  dialog.querySelector("input, button")?.focus();
}

async function transferDialog(order, ctx, refresh) {
  const areas = (await ctx.areas()).features || [];
  const level = h("select", { id: "transfer-level" },
    ["district", "street", "village"].map((l) => h("option", { value: l, selected: l === order.level }, t(`level.${l}`))));
  const area = h("select", { id: "transfer-area" });
  const fill = () => mount(area, areas.filter((f) => f.properties.level === level.value)
    .map((f) => h("option", { value: f.properties.code }, `${f.properties.name} (${f.properties.code})`)));
  level.addEventListener("change", fill);
  fill();
  const reason = h("textarea", { id: "transfer-reason", rows: 2 });
  const dialog = dialogShell(t("orders.transferTitle", { id: order.id }),
    h("div", {}, field(t("orders.toLevel"), level), field(t("orders.toArea"), area), field(t("orders.reason"), reason)),
    async () => {
      markOwn(order.id);
      await post(`/api/v1/orders/${encodeURIComponent(order.id)}/events`, {
        event: { event: "transfer", to_level: level.value, to_area: area.value, reason: reason.value.trim() }, version: order.version,
      });
      await refresh();
      announce(t("orders.transferred", { id: order.id }));
    }, t("orders.transfer"));
  level.focus();
  return dialog;
}

/**
 * Exports (导出) of the street's orders and needs as CSV: masked by
 * default; with a reason, in full (the server audits both).
 */
function exportsBox() {
  const reason = h("input", { id: "export-reason", autocomplete: "off" });
  const error = h("p", { class: "error", role: "alert", id: "export-error" });
  const download = async (what) => {
    error.textContent = "";
    const why = reason.value.trim();
    const url = `/api/v1/exports/${what}${why ? `?reason=${encodeURIComponent(why)}` : ""}`;
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token()}` } });
      if (!res.ok) {
        let body = null;
        try { body = await res.json(); } catch { body = null; }
        throw new Error(body?.error?.message || `HTTP ${res.status}`);
      }
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") || "")?.[1] || `${what}.csv`;
      const a = h("a", { href: URL.createObjectURL(await res.blob()), download: name, hidden: true });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      announce(t(why ? "exports.doneFull" : "exports.doneMasked", { name }));
    } catch (e) {
      error.textContent = `${t("error")}: ${e.message}`;
      reason.focus();
    }
  };
  return h("details", { id: "exports", class: "exports" },
    h("summary", {}, t("exports.title")),
    h("p", { class: "muted" }, t("exports.intro")),
    field(t("exports.reason"), reason, t("exports.reasonHint")), error,
    h("div", { class: "buttons" },
      h("button", { type: "button", id: "export-orders", onclick: () => download("orders") }, t("exports.orders")),
      h("button", { type: "button", id: "export-needs", onclick: () => download("needs") }, t("exports.needs"))));
}
