// Early warnings (异常预警): acknowledge (签收), escalate (上报) and
// resolve with a note (办结).

import { h, mount, announce, table, field, fmtTime, requiredText, openDialog } from "./dom.js";
import { t } from "./i18n.js";
import { getAll, post } from "./api.js";
import { openOrderDetail } from "./detail.js";

export async function render(root, ctx) {
  if (!(await ctx.has("/api/v1/warnings"))) {
    mount(root, h("h2", { tabindex: "-1" }, t("nav.warnings")),
      h("p", { class: "note", id: "warnings-unavailable" }, t("notYet", { what: t("nav.warnings") })));
    return;
  }
  // Page after page (the API answers at most 500 a page).
  const { items: list, more } = await getAll("/api/v1/warnings");
  const reload = () => render(root, ctx);
  const open = list.filter((w) => w.state !== "resolved");
  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.warnings")),
    open.length
      ? table(t("warnings.caption", { n: open.length }),
          [t("warnings.rule"), t("warnings.subject"), t("warnings.state"), t("warnings.level"), t("warnings.raised"), t("callBack.title"), t("actions")],
          open.map((w) => h("tr", { "data-id": w.id, "data-state": w.state },
            h("td", {}, t(`rule.${w.rule_id}`) === `rule.${w.rule_id}` ? w.rule_id : t(`rule.${w.rule_id}`)),
            h("td", {}, subjectText(w.subject)),
            h("td", {}, t(`warningState.${w.state}`)),
            h("td", {}, `${t(`level.${w.level}`)}${w.escalations ? ` · ${t("warnings.escalations", { n: w.escalations })}` : ""}`),
            h("td", {}, fmtTime(w.raised_at)),
            h("td", { class: "call-backs" }, callBackCell(w)),
            h("td", { class: "actions" },
              w.subject?.order_id ? h("button", { type: "button", "aria-label": `${t("orders.details")} ${w.subject.order_id}`,
                onclick: () => openOrderDetail(w.subject.order_id, ctx).catch((e) => announce(`${t("error")}: ${e.message}`, "error")) }, t("orders.details")) : null,
              w.subject?.order_id ? h("button", { type: "button", "aria-label": `${t("warnings.callBack")} ${w.id}`,
                onclick: () => callBackDialog(w, reload) }, t("warnings.callBack")) : null,
              w.state === "open" ? h("button", { type: "button", "aria-label": `${t("warnings.acknowledge")} ${w.id}`,
                onclick: () => act(w, "acknowledge", null, reload) }, t("warnings.acknowledge")) : null,
              h("button", { type: "button", "aria-label": `${t("warnings.escalate")} ${w.id}`,
                onclick: () => act(w, "escalate", null, reload) }, t("warnings.escalate")),
              h("button", { type: "button", class: "primary", "aria-label": `${t("warnings.resolve")} ${w.id}`,
                onclick: () => resolveDialog(w, reload) }, t("warnings.resolve"))))),
          { id: "warnings" })
      : h("p", { class: "muted", id: "no-warnings" }, t("warnings.none")),
    more ? h("p", { class: "muted", id: "warnings-more" }, t("warnings.more", { n: list.length })) : null);
}

/** The call-backs recorded on a warning (its history), and whether one is still needed. */
function callBackCell(w) {
  const steps = (w.history || []).filter((st) => (st.action?.action ?? st.action) === "call_back");
  const needed = w.requires_call_back && !w.call_back?.reached;
  return [
    steps.length
      ? h("ul", { class: "plain" }, steps.map((st) => {
          const latest = w.call_back && w.call_back.at === st.at;
          const outcome = latest ? (w.call_back.reached ? t("callBack.outcome.reached") : t("callBack.outcome.not_reached")) : "";
          return h("li", {}, `${fmtTime(st.at)}${outcome ? ` · ${outcome}` : ""} · ${st.note || ""}`);
        }))
      : null,
    needed ? h("span", { class: "badge high" }, t("warnings.callBackNeeded")) : null,
  ];
}

/** Records a call-back (回访) on a warning: reached or not, and what was said. */
function callBackDialog(w, reload) {
  const reached = h("input", { type: "checkbox", id: "cbw-reached" });
  const note = h("textarea", { id: "cbw-note", rows: 3 });
  const error = h("p", { class: "error", role: "alert" });
  const dialog = h("dialog", { "aria-labelledby": "cbw-title" });
  const form = h("form", { novalidate: true },
    h("h3", { id: "cbw-title" }, t("warnings.callBackTitle", { id: w.id })),
    h("div", { class: "check" }, reached, h("label", { for: "cbw-reached" }, t("warnings.reached"))),
    field(t("callBack.note"), note, t("callBack.noteHint")), error,
    h("div", { class: "buttons" },
      h("button", { type: "submit", class: "primary" }, t("callBack.save")),
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (requiredText(note, error, t("callBack.noteRequired")) === null) return;
    try {
      await post(`/api/v1/warnings/${encodeURIComponent(w.id)}/actions`, {
        action: "call_back", reached: reached.checked, note: note.value.trim(), version: w.version,
      });
      dialog.close();
      await reload();
      announce(t("warnings.done.call_back", { id: w.id }));
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
    }
  });
  openDialog(dialog, form, reached);
}

function subjectText(subject) {
  if (!subject || typeof subject !== "object") return String(subject ?? "");
  return Object.entries(subject).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join("; ");
}

async function act(w, action, note, reload) {
  try {
    await post(`/api/v1/warnings/${encodeURIComponent(w.id)}/actions`, { action, note, version: w.version });
    await reload();
    announce(t(`warnings.done.${action}`, { id: w.id }));
  } catch (e) {
    announce(`${t("error")}: ${e.message}`, "error");
  }
}

function resolveDialog(w, reload) {
  const note = h("textarea", { id: "resolve-note", rows: 3 });
  const error = h("p", { class: "error", role: "alert" });
  const dialog = h("dialog", { "aria-labelledby": "resolve-title" });
  const form = h("form", { novalidate: true },
    h("h3", { id: "resolve-title" }, t("warnings.resolveTitle", { id: w.id })),
    field(t("warnings.note"), note), error,
    h("div", { class: "buttons" },
      h("button", { type: "submit", class: "primary" }, t("warnings.resolve")),
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (requiredText(note, error, t("warnings.noteRequired")) === null) return;
    dialog.close();
    await act(w, "resolve", note.value.trim(), reload);
  });
  openDialog(dialog, form, note);
}
