// Placeholder until the server has the endpoints.
import { h, mount } from "./dom.js";
import { t } from "./i18n.js";

export async function render(root, ctx) {
  const ready = await ctx.has("/api/v1/indicators");
  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.indicators")),
    h("p", { class: "note", id: "indicators-unavailable" }, ready ? "" : t("notYet", { what: t("nav.indicators") })));
}
