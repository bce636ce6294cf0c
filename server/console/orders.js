// Placeholder until the server has the endpoints.
import { h, mount } from "./dom.js";
import { t } from "./i18n.js";

export async function render(root, ctx) {
  const ready = await ctx.has("/api/v1/orders");
  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.orders")),
    h("p", { class: "note", id: "orders-unavailable" }, ready ? "" : t("notYet", { what: t("nav.orders") })));
}
