// Placeholder until the server has the endpoints.
import { h, mount } from "./dom.js";
import { t } from "./i18n.js";

export async function render(root, ctx) {
  const ready = await ctx.has("/api/v1/warnings");
  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.warnings")),
    h("p", { class: "note", id: "warnings-unavailable" }, ready ? "" : t("notYet", { what: t("nav.warnings") })));
}
