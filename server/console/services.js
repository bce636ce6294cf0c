// Application types (服务事项): every type with its version
// history and each version's questions in order. District admins publish a
// new version with a form editor (names, responsible body, deadline,
// questions with datatype, choices, rules and help), create types and retire
// them; the server numbers versions, and applications keep the version they
// were filed under. The server's refusals are shown next to the input they
// are about. Also the API keys of Open311 client apps (Open311 接入密钥):
// issued (shown once), listed, revoked.

import { h, mount, announce, table, field, fmtTime, confirmDanger } from "./dom.js";
import { t, lang } from "./i18n.js";
import { get, post, ApiError } from "./api.js";

const DATATYPES = ["string", "text", "number", "datetime", "singlevaluelist", "multivaluelist"];
const LIST_TYPES = new Set(["singlevaluelist", "multivaluelist"]);
/** The validation rules each datatype takes (as the core checks them). */
const RULES = {
  string: ["min_len", "max_len", "pattern"],
  text: ["min_len", "max_len", "pattern"],
  number: ["min", "max", "integer"],
  datetime: ["not_in_future"],
  singlevaluelist: [],
  multivaluelist: ["min_choices", "max_choices"],
};
const FLAG_RULES = new Set(["integer", "not_in_future"]);
const DECIMAL_RULES = new Set(["min", "max"]);

// Kept across re-renders: which type and version are shown.
let selected = null; // { code, version }
let uidSeq = 0;

export async function render(root, ctx) {
  const isAdmin = ctx.me.role === "district_admin";
  const [all, streets] = await Promise.all([
    get("/api/v1/services?all_versions=true"),
    ctx.streetNames(),
  ]);
  const byCode = new Map();
  for (const d of all) {
    if (!byCode.has(d.code)) byCode.set(d.code, []);
    byCode.get(d.code).push(d);
  }
  for (const versions of byCode.values()) versions.sort((a, b) => b.version - a.version);
  const types = [...byCode.values()].map((v) => v[0]).sort((a, b) => a.code.localeCompare(b.code));
  const reload = () => render(root, ctx);
  const env = { ctx, isAdmin, byCode, streets, reload, root };

  const detail = h("div", { id: "service-detail" });
  const editorBox = h("div", { id: "service-editor-box" });
  env.detail = detail;
  env.editorBox = editorBox;

  mount(root,
    h("h2", { tabindex: "-1" }, t("nav.services")),
    h("p", { class: "muted" }, t("services.intro")),
    h("section", { "aria-labelledby": "services-title" },
      h("h3", { id: "services-title" }, t("services.list"), ` (${types.length})`),
      isAdmin
        ? h("div", { class: "toolbar" },
            h("button", { type: "button", id: "new-service", onclick: () => openEditor(null, env) }, t("services.new")))
        : h("p", { class: "note", id: "services-read-only" }, t("services.readOnly")),
      h("div", { class: "table-box" },
        table(t("services.list"),
          [t("services.code"), t("services.name"), t("services.responsible"), t("services.deadline"),
            t("services.status"), t("services.latest"), t("actions")],
          types.map((d) => typeRow(d, env)), { id: "services" })),
    ),
    editorBox,
    detail,
    isAdmin ? keysSection() : null,
  );
  if (selected && byCode.has(selected.code)) showDetail(env, selected.code, selected.version);
}

function typeRow(d, env) {
  const name = d.name_zh;
  return h("tr", { "data-code": d.code, "data-version": d.version },
    h("td", {}, h("code", {}, d.code)),
    h("td", {}, d.name_zh, h("br"), h("span", { class: "muted", lang: "en" }, d.name_en)),
    h("td", {}, responsibleText(d.responsible, env.streets)),
    h("td", {}, deadlineText(d.deadline)),
    h("td", {}, d.active ? t("services.active") : h("span", { class: "badge" }, t("services.retired"))),
    h("td", { class: "version" }, t("services.versionN", { n: d.version })),
    h("td", { class: "actions" },
      h("button", { type: "button", "aria-label": `${t("services.view")} ${name}`,
        onclick: () => { showDetail(env, d.code, null); document.getElementById("service-detail-title")?.focus(); } },
        t("services.view")),
      env.isAdmin
        ? h("button", { type: "button", class: "primary", "aria-label": `${t("services.publishNew")} ${name}`,
            onclick: () => openEditor(d, env) }, t("services.publishNew"))
        : null,
      env.isAdmin && d.active
        ? h("button", { type: "button", class: "danger", "aria-label": `${t("services.retire")} ${name}`,
            onclick: () => confirmRetire(d, env) }, t("services.retire"))
        : null,
    ));
}

function localName(zh, en) {
  return lang() === "en" && en ? en : zh;
}

function responsibleText(r, streets) {
  if (!r) return "—";
  if (r.kind === "street_of_location") return t("services.resp.street_of_location");
  if (r.kind === "street") return t("services.resp.streetNamed", { name: streets.get(r.code) || r.code });
  if (r.kind === "body") return localName(r.name_zh, r.name_en);
  return r.kind;
}

function deadlineText(d) {
  if (!d) return "—";
  return t(d.kind === "working" ? "services.daysWorking" : "services.daysCalendar", { n: d.days });
}

function validationText(v) {
  if (!v) return "";
  const parts = [];
  for (const rule of ["min_len", "max_len", "pattern", "min", "max", "integer", "not_in_future", "min_choices", "max_choices"]) {
    const x = v[rule];
    if (x === undefined || x === null || x === false) continue;
    parts.push(t(`services.ruleText.${rule}`, { n: x }));
  }
  return parts.join("；");
}

// ---- one type: version history and a version's questions --------------------------

/** Who published each version and when, filled into the history table. */
async function fillPublished(container, code) {
  let history = [];
  try {
    history = await get(`/api/v1/services/${encodeURIComponent(code)}/versions`);
  } catch {
    history = [];
  }
  for (const cell of container.querySelectorAll("td[data-published-version]")) {
    const p = history.find((x) => String(x.version) === cell.dataset.publishedVersion);
    cell.textContent = p
      ? `${fmtTime(p.published_at)} · ${p.published_by_name || t("services.shippedDefault")}`
      : "—";
  }
}
function showDetail(env, code, version) {
  const versions = env.byCode.get(code);
  if (!versions) return;
  const def = versions.find((v) => v.version === version) || versions[0];
  selected = { code, version: def.version };
  const name = def.name_zh;
  const questions = [...(def.attributes || [])].sort((a, b) => a.order - b.order);
  mount(env.detail,
    h("section", { "aria-labelledby": "service-detail-title", "data-code": code, "data-version": def.version },
      h("h3", { id: "service-detail-title", tabindex: "-1" },
        t("services.detailTitle", { name, code, n: def.version })),
      h("div", { class: "table-box" },
        table(t("services.history", { name }),
          [t("services.version"), t("services.name"), t("services.status"), t("services.questionCount"), t("services.publishedCol"), t("actions")],
          versions.map((v) => h("tr", { "data-version": v.version, class: v.version === def.version ? "current" : null },
            h("td", {}, t("services.versionN", { n: v.version }), v === versions[0] ? ` · ${t("services.newest")}` : ""),
            h("td", {}, v.name_zh),
            h("td", {}, v.active ? t("services.active") : t("services.retired")),
            h("td", {}, String((v.attributes || []).length)),
            h("td", { class: "published", "data-published-version": v.version }, "…"),
            h("td", { class: "actions" },
              h("button", { type: "button", "aria-pressed": v.version === def.version ? "true" : "false",
                "aria-label": t("services.viewVersion", { name, n: v.version }),
                onclick: () => { showDetail(env, code, v.version); document.getElementById("service-detail-title")?.focus(); } },
                t("services.view"))))),
          { id: "service-versions" })),
      h("dl", { class: "service-facts" },
        h("dt", {}, t("services.name")), h("dd", {}, def.name_zh, " / ", h("span", { lang: "en" }, def.name_en)),
        h("dt", {}, t("services.description")), h("dd", {}, def.description_zh || "—", h("br"), h("span", { class: "muted", lang: "en" }, def.description_en || "")),
        h("dt", {}, t("services.responsible")), h("dd", {}, responsibleText(def.responsible, env.streets)),
        h("dt", {}, t("services.deadline")), h("dd", {}, deadlineText(def.deadline), def.deadline?.basis ? h("br") : null,
          def.deadline?.basis ? h("small", { class: "hint" }, def.deadline.basis) : null),
        h("dt", {}, t("services.status")), h("dd", {}, def.active ? t("services.active") : t("services.retired")),
      ),
      h("div", { class: "table-box" },
        table(t("services.questionsOf", { name, n: def.version }),
          ["#", t("services.q.code"), t("services.q.label"), t("services.q.datatype"), t("services.q.required"),
            t("services.q.choices"), t("services.q.validation"), t("services.q.help")],
          questions.map((a) => h("tr", { "data-code": a.code },
            h("td", {}, String(a.order)),
            h("td", {}, h("code", {}, a.code)),
            h("td", {}, a.description_zh, h("br"), h("span", { class: "muted", lang: "en" }, a.description_en)),
            h("td", {}, t(`datatype.${a.datatype}`), a.variable === false ? ` (${t("services.q.informational")})` : ""),
            h("td", {}, a.required ? t("yes") : t("no")),
            h("td", {}, (a.values || []).length
              ? h("ul", { class: "choices" }, a.values.map((v) =>
                  h("li", {}, h("code", {}, v.key), `：${v.name_zh} / `, h("span", { lang: "en" }, v.name_en))))
              : "—"),
            h("td", {}, validationText(a.validation) || "—"),
            h("td", {}, a.help_zh || "", a.help_en ? h("br") : null, a.help_en ? h("span", { class: "muted", lang: "en" }, a.help_en) : null),
          )),
          { id: "service-questions" })),
    ));
  fillPublished(env.detail, code);
}

// ---- the editor -------------------------------------------------------------------
function clone(x) {
  return JSON.parse(JSON.stringify(x));
}

function blankDefinition() {
  return {
    code: "", name_zh: "", name_en: "", description_zh: "", description_en: "",
    responsible: { kind: "street_of_location" },
    deadline: { days: 5, kind: "working", basis: "" },
    attributes: [], keywords: [], group: "办事类法律服务", notice_zh: "", notice_en: "",
  };
}

function blankQuestion() {
  return {
    _uid: ++uidSeq, code: "", datatype: "string", variable: true, required: false,
    description_zh: "", description_en: "", help_zh: "", help_en: "", values: [], validation: {},
  };
}

/** The definition to POST: questions numbered in their order, rules that fit. */
function serialize(draft) {
  const out = clone(draft);
  delete out.version;
  out.active = true;
  out.keywords = (draft._keywords ?? (draft.keywords || []).join("，"))
    .split(/[,，、;；]/).map((s) => s.trim()).filter(Boolean);
  delete out._keywords;
  out.deadline = { ...draft.deadline, days: draft.deadline.days === "" ? NaN : Number(draft.deadline.days) };
  if (Number.isNaN(out.deadline.days)) out.deadline.days = null;
  const r = draft.responsible;
  out.responsible = r.kind === "street" ? { kind: "street", code: (r.code || "").trim() }
    : r.kind === "body" ? { kind: "body", name_zh: (r.name_zh || "").trim(), name_en: (r.name_en || "").trim() }
      : { kind: "street_of_location" };
  out.attributes = draft.attributes.map((q, i) => {
    const rules = {};
    for (const rule of RULES[q.datatype] || []) {
      const v = q.validation?.[rule];
      if (FLAG_RULES.has(rule)) {
        if (v) rules[rule] = true;
      } else if (v !== undefined && v !== null && String(v).trim() !== "") {
        rules[rule] = DECIMAL_RULES.has(rule) || rule === "pattern" ? String(v).trim() : Number(v);
      }
    }
    const a = {
      code: q.code.trim(), datatype: q.datatype, variable: q.variable !== false, required: Boolean(q.required),
      description_zh: q.description_zh, description_en: q.description_en,
      help_zh: q.help_zh || "", help_en: q.help_en || "",
      order: i + 1,
      values: LIST_TYPES.has(q.datatype) ? (q.values || []).map((v) => ({ key: v.key.trim(), name_zh: v.name_zh, name_en: v.name_en })) : [],
      validation: rules,
    };
    return a;
  });
  return out;
}

function openEditor(base, env) {
  const creating = !base;
  const draft = creating ? blankDefinition() : clone(base);
  draft.attributes = [...(draft.attributes || [])].sort((a, b) => a.order - b.order)
    .map((a) => ({ ...a, _uid: ++uidSeq, values: a.values || [], validation: a.validation || {} }));
  draft._keywords = (draft.keywords || []).join("，");
  const nextVersion = creating ? 1 : base.version + 1;
  // Controls that may carry a server refusal, by key; each with its error line.
  let slots = new Map();
  const summary = h("div", { id: "service-form-error", role: "alert" });

  /** A labelled control bound to `obj[key]`, with a place for its error. */
  const bound = (slotKey, label, obj, key, { type = "text", hint, textarea = false, attrs = {}, onchange } = {}) => {
    const id = `se-${slotKey.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    const control = textarea
      ? h("textarea", { id, rows: 2, ...attrs }, obj[key] ?? "")
      : h("input", { id, type, value: obj[key] ?? "", ...attrs });
    control.addEventListener("input", () => { obj[key] = control.value; });
    if (onchange) control.addEventListener("change", onchange);
    return slot(slotKey, field(label, control, hint), control);
  };
  const slot = (slotKey, wrapper, control) => {
    const err = h("p", { class: "error field-error", id: `${control.id}-error` });
    wrapper.append(err);
    slots.set(slotKey, { control, err, wrapper });
    return wrapper;
  };
  const select = (slotKey, label, obj, key, options, onchange) => {
    const id = `se-${slotKey.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    const control = h("select", { id }, options.map(([v, text]) => h("option", { value: v, selected: obj[key] === v }, text)));
    control.addEventListener("change", () => { obj[key] = control.value; onchange?.(); });
    return slot(slotKey, field(label, control), control);
  };
  const check = (slotKey, label, obj, key, { invert = false } = {}) => {
    const id = `se-${slotKey.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    const control = h("input", { type: "checkbox", id, checked: invert ? obj[key] === false : Boolean(obj[key]) });
    control.addEventListener("change", () => { obj[key] = invert ? !control.checked : control.checked; });
    return slot(slotKey, h("div", { class: "check" }, control, h("label", { for: id }, label)), control);
  };

  // -- the responsible body: its fields depend on its kind
  const respBox = h("div", { class: "grid2" });
  const drawResponsible = () => {
    const r = draft.responsible;
    mount(respBox,
      select("responsible.kind", t("services.resp.kind"), r, "kind",
        ["street_of_location", "street", "body"].map((k) => [k, t(`services.resp.${k}`)]), drawResponsible),
      r.kind === "street" ? bound("responsible.code", t("services.resp.streetCode"), r, "code", { hint: t("services.resp.streetHint") }) : null,
      r.kind === "body" ? bound("responsible.name_zh", t("services.resp.bodyZh"), r, "name_zh") : null,
      r.kind === "body" ? bound("responsible.name_en", t("services.resp.bodyEn"), r, "name_en", { attrs: { lang: "en" } }) : null,
    );
  };
  drawResponsible();

  // -- the questions: re-drawn on add, remove, move and datatype changes
  const questionList = h("ol", { class: "questions", id: "service-questions-editor" });
  const addQuestion = h("button", { type: "button", id: "add-question", onclick: () => {
    draft.attributes.push(blankQuestion());
    drawQuestions();
    questionList.lastElementChild?.querySelector("input")?.focus();
  } }, t("services.q.add"));
  const drawQuestions = () => {
    for (const k of [...slots.keys()]) if (k.startsWith("q:")) slots.delete(k);
    mount(questionList, draft.attributes.map((q, i) => questionEditor(q, i)));
  };
  const move = (i, by) => {
    const [q] = draft.attributes.splice(i, 1);
    draft.attributes.splice(i + by, 0, q);
    drawQuestions();
    const li = questionList.children[i + by];
    // Keep the keyboard on the button just used, or its partner at either end.
    const same = li?.querySelector(by < 0 ? "button.move-up" : "button.move-down");
    (same && !same.disabled ? same : li?.querySelector(by < 0 ? "button.move-down" : "button.move-up"))?.focus();
    announce(t("services.q.moved", { code: q.code || "?", n: i + by + 1 }));
  };
  const questionEditor = (q, i) => {
    const n = i + 1;
    const who = `${t("services.q.n", { n })} ${q.code}`.trim();
    const k = (s) => `q:${q._uid}:${s}`;
    const isList = LIST_TYPES.has(q.datatype);
    const choices = isList ? h("fieldset", { class: "choices" },
      h("legend", {}, t("services.q.choices")),
      h("ol", {}, q.values.map((v, j) => {
        const input = (key, label, attrs = {}) => {
          const c = h("input", { type: "text", value: v[key] ?? "", "aria-label": `${label} ${j + 1}（${who}）`, class: `choice-${key.replace("_", "-")}`, ...attrs });
          c.addEventListener("input", () => { v[key] = c.value; });
          return c;
        };
        return h("li", { class: "choice" },
          input("key", t("services.q.choiceKey")), input("name_zh", t("services.q.choiceZh")),
          input("name_en", t("services.q.choiceEn"), { lang: "en" }),
          h("button", { type: "button", class: "danger", "aria-label": t("services.q.removeChoiceOf", { n: j + 1, who }), onclick: () => {
            q.values.splice(j, 1);
            drawQuestions();
            questionList.children[i]?.querySelector("button.add-choice")?.focus();
          } }, t("services.q.removeChoice")));
      })),
      h("button", { type: "button", class: "add-choice", "aria-label": `${t("services.q.addChoice")}（${who}）`, onclick: () => {
        q.values.push({ key: "", name_zh: "", name_en: "" });
        drawQuestions();
        const items = questionList.children[i]?.querySelectorAll("li.choice input.choice-key");
        items?.[items.length - 1]?.focus();
      } }, t("services.q.addChoice")),
    ) : null;
    const choicesErr = h("p", { class: "error field-error", id: `se-q${q._uid}-values-error` });
    if (choices) {
      choices.append(choicesErr);
      slots.set(k("values"), { control: choices.querySelector("input") || choices.querySelector("button"), err: choicesErr, wrapper: choices });
    }
    const rules = RULES[q.datatype] || [];
    const ruleControls = rules.map((rule) => FLAG_RULES.has(rule)
      ? check(k(`validation.${rule}`), t(`services.rule.${rule}`), q.validation, rule)
      : bound(k(`validation.${rule}`), t(`services.rule.${rule}`), q.validation, rule,
        { type: rule === "pattern" || DECIMAL_RULES.has(rule) ? "text" : "number",
          attrs: rule === "pattern" ? { spellcheck: "false", autocomplete: "off" } : DECIMAL_RULES.has(rule) ? { inputmode: "decimal" } : { min: 0, step: 1 },
          hint: rule === "pattern" ? t("services.rule.patternHint") : undefined }));
    const validation = h("fieldset", { class: "validation" },
      h("legend", {}, t("services.q.validation")),
      rules.length ? h("div", { class: "grid3" }, ruleControls) : h("p", { class: "muted" }, t("services.rule.none")));
    const valErr = h("p", { class: "error field-error", id: `se-q${q._uid}-validation-error` });
    validation.append(valErr);
    slots.set(k("validation"), { control: validation.querySelector("input"), err: valErr, wrapper: validation });
    const generalErr = h("p", { class: "error field-error", id: `se-q${q._uid}-error` });

    const fs = h("fieldset", { class: "question", "data-index": i, "data-code": q.code },
      h("legend", {}, who),
      h("div", { class: "toolbar" },
        h("button", { type: "button", class: "move-up", disabled: i === 0, "aria-label": t("services.q.upOf", { who }), onclick: () => move(i, -1) }, t("services.q.up")),
        h("button", { type: "button", class: "move-down", disabled: i === draft.attributes.length - 1, "aria-label": t("services.q.downOf", { who }), onclick: () => move(i, 1) }, t("services.q.down")),
        h("button", { type: "button", class: "danger remove-question", "aria-label": t("services.q.removeOf", { who }), onclick: () => {
          draft.attributes.splice(i, 1);
          drawQuestions();
          (questionList.children[Math.min(i, draft.attributes.length - 1)]?.querySelector("input") || addQuestion).focus();
          announce(t("services.q.removed", { who }));
        } }, t("services.q.remove")),
      ),
      generalErr,
      h("div", { class: "grid2" },
        bound(k("code"), t("services.q.code"), q, "code", { hint: t("services.q.codeHint"), attrs: { autocomplete: "off", spellcheck: "false" } }),
        select(k("datatype"), t("services.q.datatype"), q, "datatype", DATATYPES.map((d) => [d, `${t(`datatype.${d}`)} (${d})`]), () => {
          drawQuestions();
          questionList.children[i]?.querySelector("select")?.focus();
        }),
        bound(k("description_zh"), t("services.q.labelZh"), q, "description_zh"),
        bound(k("description_en"), t("services.q.labelEn"), q, "description_en", { attrs: { lang: "en" } }),
        bound(k("help_zh"), t("services.q.helpZh"), q, "help_zh"),
        bound(k("help_en"), t("services.q.helpEn"), q, "help_en", { attrs: { lang: "en" } }),
      ),
      h("div", { class: "toolbar" },
        check(k("required"), t("services.q.required"), q, "required"),
        check(k("variable"), t("services.q.informational"), q, "variable", { invert: true }),
      ),
      choices,
      validation,
    );
    slots.set(k("general"), { control: fs.querySelector("input"), err: generalErr, wrapper: fs });
    return h("li", {}, fs);
  };
  drawQuestions();

  const title = creating ? t("services.newTitle") : t("services.editorTitle", { name: base.name_zh, code: base.code, n: nextVersion });
  const form = h("form", { novalidate: true, id: "service-form" },
    summary,
    h("fieldset", {},
      h("legend", {}, t("services.basics")),
      h("div", { class: "grid2" },
        bound("code", t("services.code"), draft, "code", { hint: t("services.codeHint"), attrs: creating ? { autocomplete: "off", spellcheck: "false" } : { readonly: true } }),
        bound("group", t("services.group"), draft, "group"),
        bound("name_zh", t("services.nameZh"), draft, "name_zh"),
        bound("name_en", t("services.nameEn"), draft, "name_en", { attrs: { lang: "en" } }),
        bound("description_zh", t("services.descriptionZh"), draft, "description_zh", { textarea: true }),
        bound("description_en", t("services.descriptionEn"), draft, "description_en", { textarea: true, attrs: { lang: "en" } }),
        bound("notice_zh", t("services.noticeZh"), draft, "notice_zh", { textarea: true, hint: t("services.noticeHint") }),
        bound("notice_en", t("services.noticeEn"), draft, "notice_en", { textarea: true, attrs: { lang: "en" } }),
        bound("keywords", t("services.keywords"), draft, "_keywords", { hint: t("services.keywordsHint") }),
      )),
    h("fieldset", {},
      h("legend", {}, t("services.respAndDeadline")),
      respBox,
      h("div", { class: "grid3" },
        bound("deadline.days", t("services.deadlineDays"), draft.deadline, "days", { type: "number", attrs: { min: 0, step: 1 } }),
        select("deadline.kind", t("services.deadlineKind"), draft.deadline, "kind",
          [["working", t("services.working")], ["calendar", t("services.calendar")]]),
        bound("deadline.basis", t("services.deadlineBasis"), draft.deadline, "basis", { hint: t("services.basisHint") }),
      )),
    h("fieldset", { class: "questions-box" },
      h("legend", {}, t("services.questions")),
      questionList,
      addQuestion),
    h("div", { class: "buttons" },
      h("button", { type: "submit", class: "primary", id: "publish-service" }, t("services.publishVersion", { n: nextVersion })),
      h("button", { type: "button", id: "cancel-service", onclick: () => {
        mount(env.editorBox);
        document.querySelector(creating ? "#new-service" : `#services tr[data-code="${base.code}"] button.primary`)?.focus();
      } }, t("cancel"))),
  );

  const clearErrors = () => {
    summary.replaceChildren();
    for (const s of slots.values()) {
      s.err.textContent = "";
      s.control?.removeAttribute?.("aria-invalid");
      const d = (s.control?.getAttribute?.("aria-describedby") || "").split(" ").filter((x) => x && x !== s.err.id);
      if (s.control) {
        if (d.length) s.control.setAttribute("aria-describedby", d.join(" "));
        else s.control.removeAttribute("aria-describedby");
      }
    }
  };
  const showError = (slotKey, reason) => {
    const s = slots.get(slotKey);
    if (!s) return null;
    s.err.textContent = s.err.textContent ? `${s.err.textContent}；${reason}` : reason;
    if (s.control) {
      s.control.setAttribute("aria-invalid", "true");
      const d = (s.control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (!d.includes(s.err.id)) s.control.setAttribute("aria-describedby", [...d, s.err.id].join(" "));
    }
    return s;
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors();
    const body = serialize(draft);
    try {
      const out = await post("/api/v1/services", body);
      selected = { code: out.code, version: out.version };
      await env.reload();
      announce(t(out.active ? "services.published" : "services.retiredDone", { name: out.name_zh, n: out.version }));
      document.getElementById("service-detail-title")?.focus();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const problems = err.details?.fields || (err.field ? [{ field: err.field, reason: err.message }] : []);
      const placed = problems.map((p) => placeProblem(p, draft, showError));
      const unplaced = problems.filter((_, i) => !placed[i]);
      mount(summary,
        h("p", { class: "error", id: "service-form-summary" },
          problems.length ? t("services.refused", { n: problems.length }) : `${t("services.refusedOne")}: ${err.message}`),
        unplaced.length ? h("ul", { class: "error" }, unplaced.map((p) => h("li", {}, p.field ? `${p.field}: ${p.reason}` : p.reason))) : null);
      const first = placed.find(Boolean);
      if (first?.control) {
        first.control.focus();
      } else {
        const p = summary.querySelector("p");
        p.setAttribute("tabindex", "-1");
        p.focus();
      }
    }
  });

  mount(env.editorBox,
    h("section", { "aria-labelledby": "service-editor-title", id: "service-editor", class: "service-editor" },
      h("h3", { id: "service-editor-title", tabindex: "-1" }, title),
      h("p", { class: "muted" }, creating ? t("services.newIntro") : t("services.editorIntro", { n: nextVersion, old: base.version })),
      !creating && !base.active ? h("p", { class: "note" }, t("services.reactivates")) : null,
      form));
  document.getElementById("service-editor-title").focus();
}

/**
 * Puts one server problem (`field` a JSON path such as `attributes.facts.values`)
 * next to its input. Returns the slot, or null when no input fits.
 */
function placeProblem(p, draft, showError) {
  const f = p.field || "";
  if (!f.startsWith("attributes.")) {
    return showError(f, p.reason) || (f.startsWith("responsible") ? showError("responsible.kind", p.reason) : null);
  }
  const rest = f.slice("attributes.".length);
  // The question whose code the path names (the longest code that fits).
  let matches = [];
  let best = -1;
  for (const q of draft.attributes) {
    const code = q.code.trim();
    if (rest === code || rest.startsWith(`${code}.`)) {
      if (code.length > best) { best = code.length; matches = [q]; } else if (code.length === best) matches.push(q);
    }
  }
  if (!matches.length) return null;
  const suffix = rest.slice(best).replace(/^\./, "");
  // A repeated code is reported on every copy after the first.
  const twice = /appears twice/.test(p.reason);
  const targets = twice && matches.length > 1 ? matches.slice(1) : matches;
  let first = null;
  for (const q of targets) {
    const k = (s) => `q:${q._uid}:${s}`;
    let s = null;
    if (suffix === "values") s = showError(k("values"), p.reason) || showError(k("datatype"), p.reason);
    else if (suffix.startsWith("validation.")) s = showError(k(suffix), p.reason) || showError(k("validation"), p.reason);
    else if (suffix === "validation") s = showError(k("validation"), p.reason);
    else if (/needs at least one value|only list questions/.test(p.reason)) s = showError(k("values"), p.reason) || showError(k("datatype"), p.reason);
    else if (/informational/.test(p.reason)) s = showError(k("required"), p.reason);
    else if (twice || /the code/.test(p.reason)) s = showError(k("code"), p.reason);
    else s = showError(k("general"), p.reason);
    first ??= s;
  }
  return first;
}

function confirmRetire(def, env) {
  confirmDanger({
    id: "retire-service",
    title: t("services.retireTitle"),
    text: t("services.retireText", { name: def.name_zh, n: def.version + 1 }),
    confirmLabel: t("services.retire"),
    confirmId: "confirm-retire-service",
    act: async (close) => {
      const body = clone(def);
      delete body.version;
      body.active = false;
      const out = await post("/api/v1/services", body);
      close();
      selected = { code: out.code, version: out.version };
      await env.reload();
      announce(t("services.retiredDone", { name: out.name_zh, n: out.version }));
    },
  });
}

// ---- Open311 client keys ------------------------------------------------------------
function keysSection() {
  const listBox = h("div", { id: "keys-box" });
  const issued = h("div", { id: "issued-key-box" });
  const name = h("input", { id: "key-name", type: "text", autocomplete: "off", maxlength: 100, required: true });
  const error = h("p", { class: "error field-error", id: "key-name-error" });
  const drawList = async () => {
    let keys;
    try {
      keys = await get("/api/v1/open311-keys");
    } catch (e) {
      mount(listBox, h("p", { class: "error" }, `${t("error")}: ${e.message}`));
      return;
    }
    mount(listBox, keys.length
      ? table(t("keys.caption", { n: keys.length }),
          [t("keys.id"), t("keys.name"), t("keys.created"), t("keys.state"), t("actions")],
          keys.map((k) => h("tr", { "data-id": k.id, "data-revoked": k.revoked_at ? "true" : "false" },
            h("td", {}, String(k.id)),
            h("td", {}, k.name),
            h("td", {}, fmtTime(k.created_at)),
            h("td", {}, k.revoked_at ? t("keys.revokedAt", { at: fmtTime(k.revoked_at) }) : t("keys.live")),
            h("td", { class: "actions" }, k.revoked_at ? null :
              h("button", { type: "button", class: "danger", "aria-label": `${t("keys.revoke")} ${k.name}`,
                onclick: () => confirmRevoke(k, drawList) }, t("keys.revoke"))))),
          { id: "open311-keys" })
      : h("p", { class: "muted", id: "no-keys" }, t("keys.none")));
  };
  const form = h("form", { novalidate: true, id: "key-form" },
    h("div", { class: "toolbar" },
      field(t("keys.name"), name, t("keys.nameHint")),
      h("button", { type: "submit", class: "primary", id: "issue-key" }, t("keys.issue"))),
    error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    name.removeAttribute("aria-invalid");
    if (!name.value.trim()) {
      error.textContent = t("keys.nameRequired");
      name.setAttribute("aria-invalid", "true");
      name.setAttribute("aria-describedby", `${name.getAttribute("aria-describedby") || ""} key-name-error`.trim());
      name.focus();
      return;
    }
    try {
      const out = await post("/api/v1/open311-keys", { name: name.value.trim() });
      name.value = "";
      showIssued(issued, out);
      await drawList();
    } catch (err) {
      error.textContent = `${t("error")}: ${err.message}`;
      name.setAttribute("aria-invalid", "true");
      name.focus();
    }
  });
  drawList();
  return h("section", { "aria-labelledby": "keys-title", id: "open311-keys-section" },
    h("h3", { id: "keys-title", tabindex: "-1" }, t("keys.title")),
    h("p", { class: "muted" }, t("keys.intro")),
    form, issued, listBox);
}

function showIssued(box, out) {
  const value = h("input", { id: "issued-key-value", type: "text", readonly: true, value: out.key, spellcheck: "false", class: "key-value" });
  const heading = h("h4", { id: "issued-key-title", tabindex: "-1" }, t("keys.issued", { name: out.name }));
  mount(box,
    h("div", { class: "note issued-key", role: "group", "aria-labelledby": "issued-key-title" },
      heading,
      h("p", { id: "issued-key-warning" }, h("strong", {}, t("keys.once"))),
      field(t("keys.value"), value),
      h("div", { class: "buttons" },
        h("button", { type: "button", id: "copy-key", onclick: async () => {
          try {
            await navigator.clipboard.writeText(out.key);
            announce(t("keys.copied"));
          } catch {
            value.select();
            announce(t("keys.copyByHand"));
          }
        } }, t("keys.copy")),
        h("button", { type: "button", id: "dismiss-key", onclick: () => {
          mount(box);
          document.getElementById("key-name")?.focus();
        } }, t("keys.dismiss")))));
  value.setAttribute("aria-describedby", "issued-key-warning");
  announce(t("keys.issued", { name: out.name }));
  heading.focus();
}

function confirmRevoke(key, redraw) {
  confirmDanger({
    id: "revoke",
    title: t("keys.revokeTitle"),
    text: t("keys.revokeText", { name: key.name }),
    confirmLabel: t("keys.revoke"),
    confirmId: "confirm-revoke",
    act: async (close) => {
      await post(`/api/v1/open311-keys/${encodeURIComponent(key.id)}/revoke`);
      close();
      await redraw();
      announce(t("keys.revoked", { name: key.name }));
      document.getElementById("keys-title")?.focus?.();
    },
  });
}
