// The volunteer pool (志愿者库): applications to approve or reject (a
// rejection needs a reason, which the volunteer sees), the active pool by
// street, and punches flagged for review (签到打卡复核): accept or reject each
// with a reason.

import { h, mount, announce, table, field, fmtTime, requiredText, openDialog, loadMore } from "./dom.js";
import { t, lang } from "./i18n.js";
import { get, getPage, post } from "./api.js";

/** At most this many volunteers of a state are loaded (pages of 500, by id). */
const MAX_VOLUNTEERS = 5000;

/** The punches waiting for review, a page (100) at a time. */
const PENDING_PUNCHES = "/api/v1/punches/review-queue?pending=true";

/** The volunteers in `state`, page after page (the server's cursor). */
async function loadVolunteers(state) {
  const out = [];
  let cursor = null;
  for (;;) {
    const q = new URLSearchParams({ state, limit: "500" });
    if (cursor !== null) q.set("cursor", cursor);
    const page = await get(`/api/v1/volunteers?${q}`);
    out.push(...(page.items || []));
    if (!page.next_cursor || out.length >= MAX_VOLUNTEERS) return out;
    cursor = page.next_cursor;
  }
}

export async function render(root, ctx) {
  const [applied, active, suspended, hours, streets, flagged, taxonomy] = await Promise.all([
    loadVolunteers("applied"),
    loadVolunteers("active"),
    loadVolunteers("suspended").catch(() => []),
    get("/api/v1/duty-hours").catch(() => null),
    ctx.streetNames(),
    getPage(PENDING_PUNCHES).catch((e) => ({ error: e })),
    get("/api/v1/specialties").catch(() => ({ specialties: [] })),
  ]);
  const reload = () => render(root, ctx);
  const streetOf = (code) => streets.get(code) || code;
  // Specialty codes shown by their names in the console's language; free
  // text kept from before the taxonomy follows, marked.
  const names = new Map((taxonomy.specialties || []).map((s) => [s.code, lang() === "en" ? s.name_en : s.name_zh]));
  const specialtiesOf = (p) => [
    ...(p.specialties || []).map((c) => names.get(c) || c),
    ...(p.unmatched_specialties || []).map((x) => `${x} (?)`),
  ].join("、");

  const appRows = applied.map((v) => {
    const p = v.volunteer.profile;
    return h("tr", { "data-id": v.id },
      h("td", {}, p.name),
      h("td", {}, t(`profession.${p.profession}`)),
      h("td", {}, p.phone),
      h("td", {}, streetOf(p.home_street_code)),
      h("td", {}, (p.service_directions || []).map((x) => t(`product.${x}`)).join("、")),
      h("td", {}, specialtiesOf(p)),
      h("td", {}, fmtTime(v.volunteer.applied_at)),
      h("td", { class: "actions" },
        h("button", { type: "button", class: "primary", "aria-label": `${t("volunteers.approve")} ${p.name}`,
          onclick: () => act(v, "approve", null, reload) }, t("volunteers.approve")),
        h("button", { type: "button", class: "danger", "aria-label": `${t("volunteers.reject")} ${p.name}`,
          onclick: () => askReason(v, reload) }, t("volunteers.reject"))));
  });

  let punches;
  if (flagged.error) {
    punches = h("p", { class: "error" }, `${t("error")}: ${flagged.error.message}`);
  } else if (!flagged.items.length) {
    punches = h("p", { class: "muted", id: "no-punches" }, t("volunteers.noPunches"));
  } else {
    const punchRow = (v) => {
      const p = v.punch;
      const reason = h("input", { type: "text", "aria-label": `${t("volunteers.rulingReason")} ${p.id}` });
      const rule = (decision) => async () => {
        if (!reason.value.trim()) {
          announce(t("volunteers.rulingReasonRequired"), "error");
          reason.focus();
          return;
        }
        try {
          await post(`/api/v1/punches/${encodeURIComponent(p.id)}/review`, { decision, reason: reason.value.trim() });
          announce(t(decision === "accept" ? "volunteers.punchAccepted" : "volunteers.punchRejected"));
          await reload();
        } catch (e) {
          announce(`${t("error")}: ${e.message}`, "error");
        }
      };
      return h("tr", { "data-id": p.id },
        h("td", {}, p.volunteer_id),
        h("td", {}, p.post_id),
        h("td", {}, p.kind),
        h("td", {}, fmtTime(p.at.wall)),
        h("td", {}, v.warnings.map((w) => w.flag || w.verdict || w.type).join("、")),
        h("td", { class: "actions" }, reason,
          h("button", { type: "button", class: "primary", onclick: rule("accept") }, t("volunteers.accept")),
          h("button", { type: "button", class: "danger", onclick: rule("reject") }, t("volunteers.reject"))));
    };
    const punchTable = table(t("volunteers.punches"),
      [t("volunteers.volunteer"), t("volunteers.post"), t("volunteers.punchKind"), t("volunteers.punchedAt"),
        t("volunteers.why"), t("volunteers.ruling")],
      flagged.items.map(punchRow), { id: "punches" });
    punches = h("div", {}, punchTable,
      loadMore(punchTable, flagged.next, (from) => getPage(PENDING_PUNCHES, from), punchRow, "punches-more"));
  }

  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.volunteers")),
    h("section", { "aria-labelledby": "applications-title" },
      h("h3", { id: "applications-title" }, t("volunteers.applications"), ` (${applied.length})`),
      applied.length
        ? table(t("volunteers.applications"),
            [t("volunteers.name"), t("volunteers.profession"), t("volunteers.phone"), t("volunteers.street"),
              t("volunteers.directions"), t("volunteers.specialties"), t("volunteers.appliedAt"), t("actions")],
            appRows, { id: "applications" })
        : h("p", { class: "muted", id: "no-applications" }, t("volunteers.noApplications"))),
    h("section", { "aria-labelledby": "pool-title" },
      h("h3", { id: "pool-title" }, t("volunteers.pool"), ` (${active.length})`),
      active.length
        ? table(t("volunteers.pool"),
            [t("volunteers.name"), t("volunteers.profession"), t("volunteers.street"), t("volunteers.directions"),
              t("volunteers.hours"), t("volunteers.stars"), t("volunteers.loan"), t("volunteers.chain"), t("actions")],
            active.map((v) => {
              const p = v.volunteer.profile;
              const account = String(v.account_id);
              const total = hours?.by_volunteer?.[account];
              const chainCell = h("td", { class: "chain" });
              const loan = currentLoan(v);
              return h("tr", { "data-id": v.id, "data-account": account },
                h("td", {}, p.name), h("td", {}, t(`profession.${p.profession}`)), h("td", {}, streetOf(p.home_street_code)),
                h("td", {}, (p.service_directions || []).map((x) => t(`product.${x}`)).join("、")),
                h("td", { class: "hours" }, t("volunteers.hoursValue", { duty: (total?.duty_h ?? 0).toFixed(1), order: (total?.order_h ?? 0).toFixed(1) })),
                h("td", { class: "stars" }, starText(hours?.stars?.[account] ?? 0)),
                h("td", { class: "loan" }, loan ? t("volunteers.lentTo", { street: streetOf(loan.to_street_code), until: fmtTime(loan.until) }) : "—"),
                chainCell,
                h("td", { class: "actions" },
                  h("button", { type: "button", "aria-label": `${t("volunteers.checkChain")} ${p.name}`, onclick: () => checkChain(account, chainCell) }, t("volunteers.checkChain")),
                  h("button", { type: "button", "aria-label": `${t("volunteers.suspend")} ${p.name}`, onclick: () => reasonDialog(v, "suspend", reload) }, t("volunteers.suspend")),
                  h("button", { type: "button", class: "danger", "aria-label": `${t("volunteers.exit")} ${p.name}`, onclick: () => reasonDialog(v, "exit", reload) }, t("volunteers.exit")),
                  ctx.me.role === "district_admin"
                    ? h("button", { type: "button", "aria-label": `${t("volunteers.lend")} ${p.name}`, onclick: () => lendDialog(v, streets, reload) }, t("volunteers.lend"))
                    : null,
                  ctx.me.role === "district_admin" && loan && Date.parse(loan.from) <= Date.now()
                    ? h("button", { type: "button", "aria-label": `${t("volunteers.returnLoan")} ${p.name}`, onclick: () => reasonDialog(v, "returnLoan", reload) }, t("volunteers.returnLoan"))
                    : null));
            }), { id: "pool" })
        : h("p", { class: "muted" }, t("volunteers.noneActive"))),
    h("section", { "aria-labelledby": "suspended-title" },
      h("h3", { id: "suspended-title" }, t("volunteers.suspended"), ` (${suspended.length})`),
      suspended.length
        ? table(t("volunteers.suspended"), [t("volunteers.name"), t("volunteers.street"), t("volunteers.actionReason"), t("actions")],
            suspended.map((v) => {
              const p = v.volunteer.profile;
              const last = [...(v.volunteer.history || [])].reverse().find((x) => x.action?.action === "suspend");
              return h("tr", { "data-id": v.id },
                h("td", {}, p.name), h("td", {}, streetOf(p.home_street_code)), h("td", {}, last?.reason || "—"),
                h("td", { class: "actions" },
                  h("button", { type: "button", class: "primary", "aria-label": `${t("volunteers.reinstate")} ${p.name}`,
                    onclick: () => reasonDialog(v, "reinstate", reload) }, t("volunteers.reinstate"))));
            }), { id: "suspended" })
        : h("p", { class: "muted", id: "no-suspended" }, t("volunteers.noneSuspended"))),
    h("section", { "aria-labelledby": "punches-title" },
      h("h3", { id: "punches-title" }, t("volunteers.punches")), punches),
  );
}

async function act(v, action, reason, reload) {
  try {
    await post(`/api/v1/volunteers/${encodeURIComponent(v.id)}/actions`, {
      action: { action }, reason, version: v.version,
    });
    await reload();
    announce(t(action === "approve" ? "volunteers.approved" : "volunteers.rejected", { name: v.volunteer.profile.name }));
    document.querySelector("#applications-title")?.focus?.();
  } catch (e) {
    announce(`${t("error")}: ${e.message}`, "error");
    throw e;
  }
}

function askReason(v, reload) {
  const reason = h("textarea", { id: "reject-reason", rows: 3, required: true });
  const error = h("p", { class: "error", role: "alert" });
  const dialog = h("dialog", { "aria-labelledby": "reject-title" });
  const form = h("form", { novalidate: true },
    h("h3", { id: "reject-title" }, t("volunteers.rejectTitle", { name: v.volunteer.profile.name })),
    field(t("volunteers.reason"), reason, t("volunteers.reasonHint")),
    error,
    h("div", { class: "buttons" },
      h("button", { type: "submit", class: "danger", id: "confirm-reject" }, t("volunteers.reject")),
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (requiredText(reason, error, t("volunteers.reasonRequired")) === null) return;
    try {
      dialog.close();
      await act(v, "reject", reason.value.trim(), reload);
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
    }
  });
  openDialog(dialog, form, reason);
}

const STAR = "★";
function starText(n) {
  return n ? `${STAR.repeat(n)} (${n})` : t("volunteers.noStars");
}

/** The loan in force now or next, if any. */
function currentLoan(v) {
  const now = Date.now();
  return (v.volunteer.loans || []).find((l) => Date.parse(l.until) > now) || null;
}

/** Verifies the volunteer's punch chain on the server and says the result in the row. */
async function checkChain(account, cell) {
  try {
    const r = await get(`/api/v1/punches/chains/${encodeURIComponent(account)}`);
    mount(cell, h("span", { class: r.intact ? "met" : "unmet" },
      r.intact ? t("volunteers.chainIntact", { n: r.punches }) : t("volunteers.chainBroken", { n: r.punches, at: JSON.stringify(r.first_break) })));
    announce(cell.textContent);
  } catch (e) {
    mount(cell, h("span", { class: "error" }, `${t("error")}: ${e.message}`));
  }
}

/**
 * Suspend (暂停), exit (清退), reinstate (恢复) or end a loan early
 * (returnLoan, 结束借调), each with a reason.
 */
function reasonDialog(v, action, reload) {
  const name = v.volunteer.profile.name;
  const reason = h("textarea", { id: "volunteer-action-reason", rows: 3 });
  const error = h("p", { class: "error", role: "alert" });
  const dialog = h("dialog", { "aria-labelledby": "volunteer-action-title" });
  const form = h("form", { novalidate: true },
    h("h3", { id: "volunteer-action-title" }, t(`volunteers.${action}Title`, { name })),
    field(t("volunteers.actionReason"), reason, t("volunteers.actionReasonHint")), error,
    h("div", { class: "buttons" },
      h("button", { type: "submit", class: action === "exit" || action === "suspend" ? "danger" : "primary" }, t(`volunteers.${action}`)),
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (requiredText(reason, error, t("volunteers.reasonRequired")) === null) return;
    try {
      const id = encodeURIComponent(v.id);
      if (action === "returnLoan") {
        await post(`/api/v1/volunteers/${id}/loans/return`, { reason: reason.value.trim(), version: v.version });
      } else {
        await post(`/api/v1/volunteers/${id}/actions`, {
          action: action === "exit" ? { action: "exit", kind: "removed" } : { action },
          reason: reason.value.trim(), version: v.version,
        });
      }
      dialog.close();
      await reload();
      announce(t(`volunteers.done.${action}`, { name }));
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
    }
  });
  openDialog(dialog, form, reason);
}

/** Lends (借调) a volunteer to another street for a period (district admins). */
function lendDialog(v, streets, reload) {
  const name = v.volunteer.profile.name;
  const home = v.volunteer.profile.home_street_code;
  const to = h("select", { id: "loan-street" },
    [...streets].filter(([code]) => code !== home).map(([code, n]) => h("option", { value: code }, `${n} (${code})`)));
  const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
  const from = h("input", { type: "date", id: "loan-from", value: day(0) });
  const until = h("input", { type: "date", id: "loan-until", value: day(7) });
  const reason = h("textarea", { id: "loan-reason", rows: 2 });
  const error = h("p", { class: "error", role: "alert" });
  const dialog = h("dialog", { "aria-labelledby": "loan-title" });
  const form = h("form", { novalidate: true },
    h("h3", { id: "loan-title" }, t("volunteers.lendTitle", { name })),
    field(t("volunteers.loanStreet"), to), field(t("volunteers.loanFrom"), from), field(t("volunteers.loanUntil"), until),
    field(t("volunteers.actionReason"), reason), error,
    h("div", { class: "buttons" },
      h("button", { type: "submit", class: "primary" }, t("volunteers.lend")),
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!reason.value.trim()) {
      error.textContent = t("volunteers.reasonRequired");
      reason.focus();
      return;
    }
    try {
      await post(`/api/v1/volunteers/${encodeURIComponent(v.id)}/loans`, {
        to_street_code: to.value,
        from: new Date(`${from.value}T00:00:00`).toISOString(),
        until: new Date(`${until.value}T23:59:59`).toISOString(),
        reason: reason.value.trim(), version: v.version,
      });
      dialog.close();
      await reload();
      announce(t("volunteers.done.lend", { name, street: streets.get(to.value) || to.value }));
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
    }
  });
  openDialog(dialog, form, to);
}
