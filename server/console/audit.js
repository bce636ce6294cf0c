// The audit log (审计日志, district admins): every read of personal data
// with who read it, whose data, when and why. Whose data is asked of the
// server (subject type and id); who, when and the reason's words filter
// the entries loaded, newest first.

import { h, mount, table, field, fmtTime } from "./dom.js";
import { t } from "./i18n.js";
import { get } from "./api.js";

/** At most this many entries are loaded (pages of 500, oldest first). */
const MAX_ENTRIES = 5000;

async function loadEntries(subjectType, subjectId) {
  const out = [];
  let after = null;
  for (;;) {
    const q = new URLSearchParams({ limit: "500" });
    if (after !== null) q.set("after", String(after));
    if (subjectType && subjectId) { q.set("subject_type", subjectType); q.set("subject_id", subjectId); }
    const page = await get(`/api/v1/audit?${q}`);
    out.push(...(page.items || []));
    if (!page.next_after || out.length >= MAX_ENTRIES) return { entries: out, more: Boolean(page.next_after) };
    after = page.next_after;
  }
}

export async function render(root, ctx) {
  if (ctx.me.role !== "district_admin") {
    mount(root, h("h2", { tabindex: "-1" }, t("nav.audit")), h("p", { class: "note", id: "audit-admins-only" }, t("audit.adminsOnly")));
    return;
  }
  const names = new Map(((await get("/api/v1/accounts?limit=500").catch(() => ({ items: [] }))).items || [])
    .map((a) => [a.id, `${a.display_name} (${a.username})`]));
  const who = h("select", { id: "audit-who" }, h("option", { value: "" }, t("audit.anyone")));
  const subjectType = h("select", { id: "audit-subject-type" },
    ["", "need", "order", "account", "attachment", "punch", "phone", "export"].map((v) => h("option", { value: v }, v ? t(`audit.subject.${v}`) : t("audit.anySubject"))));
  const subjectId = h("input", { id: "audit-subject-id", autocomplete: "off" });
  const from = h("input", { id: "audit-from", type: "date" });
  const to = h("input", { id: "audit-to", type: "date" });
  const why = h("input", { id: "audit-why", type: "search", autocomplete: "off" });
  const box = h("div", { id: "audit-box" });
  const form = h("form", { id: "audit-filters", class: "filters", novalidate: true, "aria-label": t("audit.filters") },
    field(t("audit.who"), who), field(t("audit.subjectType"), subjectType), field(t("audit.subjectId"), subjectId, t("audit.subjectHint")),
    field(t("audit.from"), from), field(t("audit.to"), to), field(t("audit.why"), why),
    h("button", { type: "submit", class: "primary" }, t("audit.apply")));
  mount(root, h("h2", { tabindex: "-1" }, t("nav.audit")), h("p", { class: "muted" }, t("audit.intro")), form, box);
  let loaded = null; // { key, entries, more }
  const draw = async () => {
    const key = subjectType.value && subjectId.value.trim() ? `${subjectType.value}|${subjectId.value.trim()}` : "";
    if (!loaded || loaded.key !== key) {
      mount(box, h("p", { class: "muted" }, t("loading")));
      const r = await loadEntries(subjectType.value, subjectId.value.trim());
      loaded = { key, ...r };
      const actors = [...new Set(r.entries.map((e) => e.actor_id))];
      const chosen = who.value;
      mount(who, h("option", { value: "" }, t("audit.anyone")),
        actors.map((id) => h("option", { value: String(id), selected: String(id) === chosen }, names.get(id) || String(id))));
    }
    const fromMs = from.value ? Date.parse(`${from.value}T00:00:00`) : -Infinity;
    const toMs = to.value ? Date.parse(`${to.value}T23:59:59.999`) : Infinity;
    const words = why.value.trim().toLowerCase();
    const shown = loaded.entries
      .filter((e) => !who.value || String(e.actor_id) === who.value)
      .filter((e) => !subjectType.value || e.subject_type === subjectType.value)
      .filter((e) => { const at = Date.parse(e.at); return at >= fromMs && at <= toMs; })
      .filter((e) => !words || e.reason.toLowerCase().includes(words))
      .reverse();
    mount(box,
      shown.length
        ? table(t("audit.caption", { n: shown.length }),
            [t("audit.at"), t("audit.who"), t("audit.action"), t("audit.whose"), t("audit.fields"), t("audit.reasonCol")],
            shown.map((e) => h("tr", { "data-id": e.id, "data-action": e.action },
              h("td", {}, fmtTime(e.at)), h("td", {}, `${names.get(e.actor_id) || e.actor_id} · ${t(`role.${e.actor_role}`)}`),
              h("td", {}, t(`audit.action.${e.action}`) === `audit.action.${e.action}` ? e.action : t(`audit.action.${e.action}`)),
              h("td", {}, `${t(`audit.subject.${e.subject_type}`) === `audit.subject.${e.subject_type}` ? e.subject_type : t(`audit.subject.${e.subject_type}`)} ${e.subject_id}`),
              h("td", {}, e.fields), h("td", {}, e.reason))),
            { id: "audit" })
        : h("p", { class: "muted", id: "audit-none" }, t("audit.none")),
      loaded.more ? h("p", { class: "muted" }, t("audit.more", { n: MAX_ENTRIES })) : null);
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); draw().catch((err) => mount(box, h("p", { class: "error", role: "alert" }, `${t("error")}: ${err.message}`))); });
  await draw();
}
