// Accounts (账号): the staff, volunteers and residents the caller may see,
// with phone and ID numbers masked as the server sends them.

import { h, mount, table, fmtTime } from "./dom.js";
import { t } from "./i18n.js";
import { get } from "./api.js";

export async function render(root, ctx) {
  const [page, streets] = await Promise.all([get("/api/v1/accounts?limit=500"), ctx.streetNames()]);
  const items = page.items || [];
  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.accounts")),
    h("p", { class: "muted" }, t("accounts.masked")),
    table(t("accounts.caption", { n: items.length }),
      [t("accounts.username"), t("accounts.name"), t("accounts.role"), t("accounts.street"), t("accounts.phone"), t("accounts.created"), t("accounts.state")],
      items.map((a) => [
        a.username, a.display_name, t(`role.${a.role}`),
        a.street_code ? streets.get(a.street_code) || a.street_code : "—",
        a.phone || "—", fmtTime(a.created_at), a.disabled ? t("accounts.disabled") : t("accounts.enabled"),
      ]), { id: "accounts" }),
    page.next_after ? h("p", { class: "muted" }, t("accounts.more")) : null,
  );
}
