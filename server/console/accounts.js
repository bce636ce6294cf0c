// Accounts (账号): the staff, volunteers and residents the caller may see,
// with phone and ID numbers masked as the server sends them. Create an
// account (station staff: in their own street only), disable or enable
// one, reset its password (the new one shown once), sign it out
// everywhere, and show the full contact after giving a reason (audited).

import { h, mount, announce, table, field, fmtTime, requiredText, openDialog } from "./dom.js";
import { t } from "./i18n.js";
import { get, post } from "./api.js";

const CREATABLE_ROLES = {
  district_admin: ["station_staff", "volunteer", "lawyer", "district_admin"],
  station_staff: ["station_staff", "volunteer", "lawyer"],
};

export async function render(root, ctx) {
  const [page, streets] = await Promise.all([get("/api/v1/accounts?limit=500"), ctx.streetNames()]);
  const items = page.items || [];
  const reload = () => render(root, ctx);
  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.accounts")),
    h("p", { class: "muted" }, t("accounts.masked")),
    createForm(ctx.me, streets, reload),
    table(t("accounts.caption", { n: items.length }),
      [t("accounts.username"), t("accounts.name"), t("accounts.role"), t("accounts.street"), t("accounts.phone"), t("accounts.created"), t("accounts.state"), t("actions")],
      items.map((a) => h("tr", { "data-id": a.id, "data-username": a.username, "data-disabled": a.disabled ? "true" : "false" },
        h("td", {}, a.username), h("td", {}, a.display_name), h("td", {}, t(`role.${a.role}`)),
        h("td", {}, a.street_code ? streets.get(a.street_code) || a.street_code : "—"),
        h("td", { class: "phone" }, a.phone || "—"), h("td", {}, fmtTime(a.created_at)),
        h("td", {}, a.disabled ? t("accounts.disabled") : t("accounts.enabled")),
        h("td", { class: "actions" }, a.id === ctx.me.id ? null : rowActions(a, ctx.me, reload)))),
      { id: "accounts" }),
    page.next_after ? h("p", { class: "muted" }, t("accounts.more")) : null,
  );
}

function rowActions(a, me, reload) {
  const label = (key) => `${t(key)} ${a.username}`;
  return [
    h("button", { type: "button", "aria-label": label("accounts.showContact"), onclick: () => contactDialog(a) }, t("accounts.showContact")),
    a.disabled
      ? h("button", { type: "button", "aria-label": label("accounts.enable"), onclick: () => simple(a, "enable", reload) }, t("accounts.enable"))
      : h("button", { type: "button", class: "danger", "aria-label": label("accounts.disable"), onclick: () => simple(a, "disable", reload) }, t("accounts.disable")),
    h("button", { type: "button", "aria-label": label("accounts.resetPassword"), onclick: () => resetDialog(a) }, t("accounts.resetPassword")),
    // Signing another account out everywhere is the district admins'.
    me.role === "district_admin"
      ? h("button", { type: "button", "aria-label": label("accounts.revoke"), onclick: () => simple(a, "revoke-tokens", reload) }, t("accounts.revoke"))
      : null,
  ];
}

async function simple(a, action, reload) {
  try {
    const res = await post(`/api/v1/accounts/${a.id}/${action}`);
    await reload();
    announce(t(`accounts.done.${action}`, { username: a.username, n: res?.revoked ?? 0 }));
  } catch (e) {
    announce(`${t("error")}: ${e.message}`, "error");
  }
}

function modal(titleId, title, ...body) {
  const dialog = h("dialog", { "aria-labelledby": titleId });
  return openDialog(dialog, [h("h3", { id: titleId }, title), ...body]);
}

/** Resets the password after a confirm; the new one is shown once. */
function resetDialog(a) {
  const out = h("div", { id: "reset-result" });
  const error = h("p", { class: "error", role: "alert" });
  const go = h("button", { type: "button", class: "primary danger", id: "reset-confirm" }, t("accounts.resetConfirm"));
  const close = h("button", { type: "button" }, t("close"));
  const dialog = modal("reset-title", t("accounts.resetTitle", { username: a.username }),
    h("p", {}, t("accounts.resetWarning")), out, error, h("div", { class: "buttons" }, go, close));
  close.addEventListener("click", () => dialog.close());
  go.addEventListener("click", async () => {
    try {
      const res = await post(`/api/v1/accounts/${a.id}/password-reset`);
      go.remove();
      mount(out, h("p", {}, t("accounts.newPasswordOnce")),
        h("p", {}, h("code", { id: "new-password", tabindex: "0" }, res.new_password)),
        h("p", { class: "muted" }, t("accounts.revoked", { n: res.revoked })));
      out.querySelector("code").focus();
    } catch (e) {
      error.textContent = `${t("error")}: ${e.message}`;
    }
  });
  go.focus();
}

/** The full phone and ID number, after a reason (audited by the server). */
function contactDialog(a) {
  const reason = h("input", { id: "account-contact-reason", autocomplete: "off" });
  const out = h("div", { id: "account-contact" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { novalidate: true },
    field(t("detail.contactReason"), reason, t("detail.reasonHint")), out, error,
    h("div", { class: "buttons" },
      h("button", { type: "submit", class: "primary" }, t("detail.showContact")),
      h("button", { type: "button", onclick: () => dialog.close() }, t("close"))));
  const dialog = modal("contact-title", t("accounts.contactTitle", { username: a.username }), form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (requiredText(reason, error, t("detail.reasonRequired")) === null) return;
    try {
      error.textContent = "";
      const c = await get(`/api/v1/accounts/${a.id}/contact?reason=${encodeURIComponent(reason.value.trim())}`);
      mount(out, h("dl", { class: "service-facts" },
        h("dt", {}, t("detail.phone")), h("dd", { class: "full-phone" }, c.phone || "—"),
        h("dt", {}, t("detail.idNumber")), h("dd", {}, c.id_number || "—")));
      announce(t("detail.contactShown"));
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
    }
  });
  reason.focus();
}

/** A new account; station staff create them in their own street only. */
function createForm(me, streets, reload) {
  const username = h("input", { id: "new-username", autocomplete: "off" });
  const name = h("input", { id: "new-display-name", autocomplete: "off" });
  const role = h("select", { id: "new-role" },
    (CREATABLE_ROLES[me.role] || []).map((r) => h("option", { value: r }, t(`role.${r}`))));
  const street = h("select", { id: "new-street", disabled: me.role !== "district_admin" },
    me.role === "district_admin" ? h("option", { value: "" }, t("accounts.noStreet")) : null,
    [...streets].filter(([code]) => me.role === "district_admin" || code === me.street_code)
      .map(([code, n]) => h("option", { value: code, selected: code === me.street_code }, `${n} (${code})`)));
  const phone = h("input", { id: "new-phone", inputmode: "tel", autocomplete: "off" });
  const password = h("input", { id: "new-password-input", type: "password", autocomplete: "new-password" });
  const error = h("p", { class: "error", role: "alert", id: "create-error" });
  const form = h("form", { id: "create-account", class: "inline-form", novalidate: true, "aria-labelledby": "create-title" },
    h("h3", { id: "create-title" }, t("accounts.create")),
    field(t("accounts.username"), username, t("accounts.usernameHint")), field(t("accounts.name"), name),
    field(t("accounts.role"), role), field(t("accounts.street"), street),
    field(t("accounts.phone"), phone), field(t("signin.password"), password, t("accounts.passwordHint")),
    error, h("button", { type: "submit", class: "primary" }, t("accounts.createSubmit")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    try {
      await post("/api/v1/accounts", {
        username: username.value.trim(), display_name: name.value.trim(), role: role.value,
        street_code: street.value || null, phone: phone.value.trim() || null, password: password.value,
      });
      const created = username.value.trim();
      await reload();
      announce(t("accounts.created_", { username: created }));
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
      const bad = { username, display_name: name, role, street_code: street, phone, password }[err.field];
      if (bad) { bad.setAttribute("aria-invalid", "true"); bad.focus(); }
    }
  });
  return h("details", { id: "create-account-box" }, h("summary", {}, t("accounts.create")), form);
}
