// Small DOM helpers: elements from tag, attributes and children; SVG too;
// and one polite live region for status messages (screen readers hear
// them without losing focus).

import { t } from "./i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), v);
    } else if (k === "text") {
      el.textContent = v;
    } else if (k === "style" && typeof v === "object") {
      // Through the CSSOM: the content security policy refuses inline
      // style attributes, not this.
      Object.assign(el.style, v);
    } else if (k === "dataset") {
      Object.assign(el.dataset, v);
    } else {
      el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An HTML element: h("button", {type: "button", onclick}, "text"). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  build(el, {}, children);
  return el;
}

/** Says `message` in the status region (aria-live=polite). */
export function announce(message, kind = "info") {
  const el = document.getElementById("status");
  if (!el) return;
  el.textContent = message;
  el.dataset.kind = kind;
}

/** A table with a caption, header row and body rows (arrays of cells). */
export function table(caption, headers, rows, attrs = {}) {
  return h(
    "table",
    attrs,
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.map((r) => (r instanceof Node ? r : h("tr", {}, r.map((c) => h("td", {}, c)))))),
  );
}

/** A labelled form field: label + control, linked by id. */
let fieldSeq = 0;
export function field(label, control, hint) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const parts = [h("label", { for: id }, label), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("small", { id: hintId, class: "hint" }, hint));
  }
  return h("div", { class: "field" }, parts);
}

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "zh-CN", {
    hour12: false,
  });
}

export function pct(x) {
  return x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;
}

/**
 * The trimmed text of a required `control`, or null after saying
 * `message` in `error`, marking the control invalid and focusing it.
 */
export function requiredText(control, error, message) {
  const value = control.value.trim();
  if (value) return value;
  error.textContent = message;
  control.setAttribute("aria-invalid", "true");
  control.focus();
  return null;
}

/**
 * Shows `dialog` as a modal holding `content` (a node or an array of
 * nodes), removed from the page once closed, with `focus` (if given)
 * focused.
 */
export function openDialog(dialog, content, focus) {
  dialog.append(...[content].flat());
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  if (focus) focus.focus();
  return dialog;
}

/**
 * Asks before a destructive action: a modal with `title` and `text`, the
 * danger button `confirmLabel` (id `confirmId`) and Cancel, focused. The
 * button runs `act(close)`; `act` closes the dialog with `close` once the
 * action succeeded; an error it throws is shown in the dialog.
 */
export function confirmDanger({ id, title, text, confirmLabel, confirmId, act }) {
  const dialog = h("dialog", { class: "confirm", "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-text` });
  const error = h("p", { class: "error", role: "alert" });
  dialog.append(
    h("h3", { id: `${id}-title` }, title),
    h("p", { id: `${id}-text` }, text),
    error,
    h("div", { class: "buttons" },
      h("button", { type: "button", class: "danger", id: confirmId, onclick: async () => {
        try {
          await act(() => dialog.close());
        } catch (err) {
          error.textContent = `${t("error")}: ${err.message}`;
        }
      } }, confirmLabel),
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel")),
    ),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  dialog.querySelector("button:last-child").focus();
}

/**
 * A "load more" button under a paged table: reads the page after `next`
 * with `load(next)` (answering `{ items, next }`, as `getPage` does) and
 * appends `row(item)` for each to the table's body; gone after the last
 * page. `null` when there is no next page.
 */
export function loadMore(tableEl, next, load, row, id) {
  if (!next || !tableEl) return null;
  let from = next;
  const button = h("button", { type: "button", class: "load-more", id }, t("list.loadMore"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const r = await load(from);
      const body = tableEl.querySelector("tbody");
      for (const item of r.items) body.append(row(item));
      from = r.next;
      announce(t("list.loaded", { n: body.rows.length }));
      if (from) button.disabled = false;
      else button.remove();
    } catch (e) {
      button.disabled = false;
      announce(`${t("error")}: ${e.message}`, "error");
    }
  });
  return button;
}
