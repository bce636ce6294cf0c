// The volunteer pool (志愿者库): applications to approve or reject (a
// rejection needs a reason, which the volunteer sees), the active pool by
// street, and punches flagged for review (签到打卡复核): accept or reject each
// with a reason.

import { h, mount, announce, table, field, fmtTime } from "./dom.js";
import { t, lang } from "./i18n.js";
import { get, post } from "./api.js";

export async function render(root, ctx) {
  const [applied, active, streets, flagged, taxonomy] = await Promise.all([
    get("/api/v1/volunteers?state=applied"),
    get("/api/v1/volunteers?state=active"),
    ctx.streetNames(),
    get("/api/v1/punches/review-queue?pending=true").catch((e) => ({ error: e })),
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
  } else if (!flagged.length) {
    punches = h("p", { class: "muted", id: "no-punches" }, t("volunteers.noPunches"));
  } else {
    punches = table(t("volunteers.punches"),
      [t("volunteers.volunteer"), t("volunteers.post"), t("volunteers.punchKind"), t("volunteers.punchedAt"),
        t("volunteers.why"), t("volunteers.ruling")],
      flagged.map((v) => {
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
      }), { id: "punches" });
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
            [t("volunteers.name"), t("volunteers.profession"), t("volunteers.street"), t("volunteers.directions")],
            active.map((v) => {
              const p = v.volunteer.profile;
              return [p.name, t(`profession.${p.profession}`), streetOf(p.home_street_code),
                (p.service_directions || []).map((x) => t(`product.${x}`)).join("、")];
            }), { id: "pool" })
        : h("p", { class: "muted" }, t("volunteers.noneActive"))),
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
    if (!reason.value.trim()) {
      error.textContent = t("volunteers.reasonRequired");
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    try {
      dialog.close();
      await act(v, "reject", reason.value.trim(), reload);
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
    }
  });
  dialog.append(form);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  reason.focus();
}
