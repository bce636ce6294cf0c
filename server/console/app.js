// The staff console: sign-in, the shell (header, navigation, language
// toggle) and a hash router over the sections. Chinese first; the English
// toggle re-renders in place and sets <html lang>.

import { h, mount, announce } from "./dom.js";
import { t, lang, setLang } from "./i18n.js";
import { get, getCollection, post, getOptional, setToken, token, ApiError } from "./api.js";
import * as map from "./map.js";
import * as orders from "./orders.js";
import * as warnings from "./warnings.js";
import * as spotchecks from "./spotchecks.js";
import * as indicators from "./indicators.js";
import * as volunteers from "./volunteers.js";
import * as facilities from "./facilities.js";
import * as services from "./services.js";
import * as accounts from "./accounts.js";
import * as hotline from "./hotline.js";
import * as audit from "./audit.js";
import * as siting from "./siting.js";

const STAFF_ROLES = new Set(["station_staff", "district_admin"]);

const SECTIONS = [
  { id: "map", module: map },
  { id: "orders", module: orders },
  { id: "warnings", module: warnings },
  { id: "spotchecks", module: spotchecks },
  { id: "indicators", module: indicators },
  { id: "hotline", module: hotline },
  { id: "siting", module: siting },
  { id: "volunteers", module: volunteers },
  { id: "facilities", module: facilities },
  { id: "services", module: services },
  { id: "accounts", module: accounts },
  { id: "audit", module: audit },
];

const app = () => document.getElementById("app");
let me = null;
let current = null; // { id, module }
let cache = {};

const ctx = {
  get me() {
    return me;
  },
  /** Areas (GeoJSON), loaded once per sign-in. */
  areas() {
    cache.areas ??= getCollection("/api/v1/areas");
    return cache.areas;
  },
  /** The coverage report, or null when the server has none (yet). */
  coverage() {
    cache.coverage ??= getOptional("/api/v1/coverage").catch(() => null);
    return cache.coverage;
  },
  /** The console's settings (a configured tile layer). */
  config() {
    cache.config ??= get("/console/config.json").catch(() => ({}));
    return cache.config;
  },
  /** The server's OpenAPI paths (to tell which endpoints it has). */
  paths() {
    cache.paths ??= get("/api/v1/openapi.json").then((d) => d.paths || {}).catch(() => ({}));
    return cache.paths;
  },
  /** Whether the server has `path` (as written in its OpenAPI document). */
  async has(path, method = "get") {
    return Boolean((await ctx.paths())[path]?.[method]);
  },
  /** The first path matching `re` with `method`, without path parameters. */
  async findPath(re, method = "get") {
    const paths = await ctx.paths();
    return Object.keys(paths).find((p) => re.test(p) && !p.includes("{") && paths[p][method]) || null;
  },
  invalidate(key) {
    delete cache[key];
  },
  /** Street names by code. */
  async streetNames() {
    const areas = await ctx.areas();
    return new Map(
      (areas.features || [])
        .filter((f) => f.properties.level === "street")
        .map((f) => [f.properties.code, f.properties.name]),
    );
  },
};

function applyLang() {
  document.documentElement.lang = lang() === "en" ? "en" : "zh-CN";
  document.title = t("app.title");
}

// ---- sign-in -------------------------------------------------------------------
function renderSignIn(message) {
  applyLang();
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { id: "signin-error", class: "error", role: "alert" }, message || "");
  const form = h("form", { class: "signin", "aria-labelledby": "signin-title", novalidate: true },
    h("h1", { id: "signin-title" }, t("app.title")),
    h("p", { class: "muted" }, t("signin.intro")),
    h("div", { class: "field" }, h("label", { for: "username" }, t("signin.username")), username),
    h("div", { class: "field" }, h("label", { for: "password" }, t("signin.password")), password),
    error,
    h("button", { type: "submit", class: "primary" }, t("signin.submit")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!username.value || !password.value) {
      error.textContent = t("signin.missing");
      (username.value ? password : username).focus();
      return;
    }
    error.textContent = "";
    try {
      const res = await post("/api/v1/auth/login", { username: username.value.trim(), password: password.value });
      if (!STAFF_ROLES.has(res.account.role)) {
        setToken(res.token);
        await post("/api/v1/auth/logout").catch(() => {});
        setToken(null);
        error.textContent = t("signin.notStaff");
        return;
      }
      setToken(res.token);
      me = res.account;
      cache = {};
      if (!location.hash.startsWith("#/")) location.hash = "#/map";
      renderShell();
    } catch (err) {
      password.value = "";
      error.textContent =
        err instanceof ApiError && err.status === 401 ? t("signin.wrong") :
        err instanceof ApiError && err.status === 429 ? t("signin.locked") : `${t("error")}: ${err.message}`;
      password.focus();
    }
  });
  mount(app(), h("main", { id: "main" }, langButton(() => renderSignIn(error.textContent)), form));
  username.focus();
}

function langButton(rerender) {
  return h("button", {
    type: "button", class: "lang-toggle", id: "lang-toggle",
    lang: lang() === "en" ? "zh-CN" : "en",
    "aria-label": t("lang.switchLabel"),
    onclick: () => {
      setLang(lang() === "en" ? "zh" : "en");
      rerender();
      document.getElementById("lang-toggle")?.focus();
      announce(t("lang.switched"));
    },
  }, t("lang.other"));
}

async function signOut() {
  await post("/api/v1/auth/logout").catch(() => {});
  setToken(null);
  me = null;
  cache = {};
  current?.module.dispose?.();
  current = null;
  renderSignIn(t("signin.signedOut"));
}

// ---- the shell -----------------------------------------------------------------
function sectionFromHash() {
  const id = location.hash.replace(/^#\//, "");
  return SECTIONS.find((s) => s.id === id) || SECTIONS[0];
}

function renderShell() {
  applyLang();
  const section = sectionFromHash();
  const nav = h("nav", { "aria-label": t("nav.label") },
    h("ul", {}, SECTIONS.map((s) =>
      h("li", {}, h("a", { href: `#/${s.id}`, id: `nav-${s.id}`, "aria-current": s.id === section.id ? "page" : false }, t(`nav.${s.id}`))))));
  const who = h("span", { class: "who" }, `${me.display_name} · ${t(`role.${me.role}`)}`);
  mount(app(),
    h("a", { class: "skip", href: "#main", onclick: (e) => { e.preventDefault(); document.getElementById("main").focus(); } }, t("app.skip")),
    h("header", { class: "top" },
      h("h1", {}, t("app.title")),
      who,
      langButton(() => { renderShell(); }),
      h("button", { type: "button", id: "sign-out", onclick: signOut }, t("signin.out")),
    ),
    nav,
    h("div", { id: "status", role: "status", "aria-live": "polite" }),
    h("main", { id: "main", tabindex: "-1" }),
  );
  showSection(section, false);
}

async function showSection(section, moveFocus) {
  if (current && current.module !== section.module) current.module.dispose?.();
  current = section;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.id === `nav-${section.id}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${t(`nav.${section.id}`)} · ${t("app.title")}`;
  const main = document.getElementById("main");
  main.dataset.section = section.id;
  // Each visit renders into its own element: a slower, earlier render that
  // finishes late writes into a detached element, never over this one.
  const view = h("div", { class: "view", "data-section": section.id });
  mount(main, view);
  try {
    await section.module.render(view, ctx);
  } catch (e) {
    if (current !== section) return;
    mount(view, h("h2", { tabindex: "-1" }, t(`nav.${section.id}`)),
      h("p", { class: "error", role: "alert" }, `${t("error")}: ${e.message}`));
  }
  if (moveFocus && current === section) main.querySelector("h2")?.focus();
}

window.addEventListener("hashchange", () => {
  if (!me || !location.hash.startsWith("#/")) return;
  showSection(sectionFromHash(), true);
});

window.addEventListener("lawcircle:unauthorized", () => {
  if (!me) return;
  setToken(null);
  me = null;
  current?.module.dispose?.();
  current = null;
  renderSignIn(t("signin.expired"));
});

async function boot() {
  applyLang();
  if (token()) {
    try {
      const account = await get("/api/v1/me");
      if (STAFF_ROLES.has(account.role)) {
        me = account;
        renderShell();
        return;
      }
    } catch {
      // fall through to the sign-in form
    }
    setToken(null);
  }
  renderSignIn();
}

boot();
