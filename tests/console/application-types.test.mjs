// Application types (服务事项) and Open311 client keys in the staff
// console, end to end: the real server and Debian's headless Chromium. An
// admin publishes versions, creates and retires types and issues keys;
// station staff read every version but change nothing.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, createAccount, apiCall, login, launchBrowser, onCleanPage, screenshot, signIn, unlabelledControls,
} from "./harness.mjs";

let server, browser;

before(async () => {
  server = await startServer();
  createAccount(server, "admin", "district_admin", "区司法局管理员");
  createAccount(server, "yongzhong", "station_staff", "永中司法所", "330303001");
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const withPage = (fn, { on = server, ...opts } = {}) => onCleanPage(browser, on, fn, opts);

test("application types: an admin adds a question to mediation and publishes v2; v1 stays viewable", async () => {
  const before = (await apiCall(server, "GET", "/api/v1/services/mediation")).body;
  assert.equal(before.version, 1);
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "服务事项" }).click();
    const row = page.locator('#services tr[data-code="mediation"]');
    await row.waitFor();
    assert.match(await row.textContent(), /纠纷调解.*Dispute mediation.*事发地街道司法所.*5 个工作日.*受理中.*第 1 版/);
    await row.getByRole("button", { name: "发布新版本 纠纷调解" }).click();
    const editor = page.locator("#service-editor");
    await editor.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), "service-editor-title");
    assert.equal(await editor.locator("fieldset.question").count(), before.attributes.length);
    // Add a seventh question, fill it in, then move it above "mode".
    await editor.getByRole("button", { name: "添加问题" }).click();
    const q = editor.locator("fieldset.question").last();
    await q.getByLabel("问题代码").fill("preferred_time");
    await q.getByLabel("答案类型").selectOption("string");
    await q.getByLabel("问题（中文）").fill("方便联系的时间");
    await q.getByLabel("问题（英文）").fill("Best time to call");
    await q.getByLabel("填写说明（中文）").fill("如：工作日下午");
    await q.getByLabel("填写说明（英文）").fill("e.g. weekday afternoons");
    await q.getByLabel("最多字数").fill("50");
    assert.deepEqual(await unlabelledControls(page), []);
    await q.getByRole("button", { name: /^上移 问题 7/ }).click();
    assert.equal(await editor.locator("fieldset.question").nth(5).getByLabel("问题代码").inputValue(), "preferred_time");
    // Focus stays on the moved question's button (keyboard users keep their place).
    assert.match(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), /^上移 问题 6 preferred_time/);
    await screenshot(page, "13-service-editor", { fullPage: true });
    await editor.getByRole("button", { name: "发布第 2 版" }).click();
    await page.getByRole("status").filter({ hasText: "已发布“纠纷调解”第 2 版" }).waitFor();
    await page.locator('#services tr[data-code="mediation"][data-version="2"]').waitFor();
    assert.match(await page.locator('#services tr[data-code="mediation"] td.version').textContent(), /第 2 版/);
    // The new version's questions, in order; the history lists both versions.
    const detail = page.locator("#service-detail");
    await detail.locator('section[data-version="2"]').waitFor();
    assert.equal(await detail.locator("#service-versions tbody tr").count(), 2);
    // Who published each version: the shipped default, then this admin.
    const published = detail.locator('#service-versions td[data-published-version="2"]');
    await published.filter({ hasNotText: "…" }).waitFor();
    assert.match(await published.textContent(), /区司法局管理员/);
    assert.match(await detail.locator('#service-versions td[data-published-version="1"]').textContent(), /系统预置/);
    const codes = await detail.locator("#service-questions tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.code));
    assert.deepEqual(codes, ["dispute_type", "other_party", "other_party_phone", "facts", "claim", "preferred_time", "mode"]);
    assert.match(await detail.locator('#service-questions tr[data-code="preferred_time"]').textContent(),
      /方便联系的时间.*Best time to call.*单行文本.*否.*最多 50 字.*如：工作日下午/);
    await screenshot(page, "14-service-published", { fullPage: true });
    // v1 is still viewable, unchanged.
    await detail.getByRole("button", { name: "查看 纠纷调解 第 1 版" }).click();
    await detail.locator('section[data-version="1"]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), "service-detail-title");
    assert.equal(await detail.locator("#service-questions tbody tr").count(), before.attributes.length);
    assert.equal(await detail.locator('#service-questions tr[data-code="preferred_time"]').count(), 0);
  });
  const v2 = (await apiCall(server, "GET", "/api/v1/services/mediation")).body;
  assert.equal(v2.version, 2);
  const added = v2.attributes.find((a) => a.code === "preferred_time");
  assert.ok(added, JSON.stringify(v2.attributes.map((a) => a.code)));
  assert.equal(added.order, 6);
  assert.equal(added.datatype, "string");
  assert.equal(added.required, false);
  assert.equal(added.description_en, "Best time to call");
  assert.equal(added.help_zh, "如：工作日下午");
  assert.deepEqual(added.validation, { max_len: 50 });
  assert.equal(v2.attributes.find((a) => a.code === "mode").order, 7);
  // Everything else carried over from v1.
  assert.deepEqual(v2.attributes.find((a) => a.code === "dispute_type"), before.attributes.find((a) => a.code === "dispute_type"));
  assert.equal(v2.deadline.basis, before.deadline.basis);
  const v1 = (await apiCall(server, "GET", "/api/v1/services/mediation?version=1")).body;
  assert.deepEqual(v1, before);
});

test("application types: a bad definition is refused, each problem next to its input, nothing published", async () => {
  const before = (await apiCall(server, "GET", "/api/v1/services/legal_aid")).body;
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "服务事项" }).click();
    await page.locator('#services tr[data-code="legal_aid"]').getByRole("button", { name: /^发布新版本/ }).click();
    const editor = page.locator("#service-editor");
    await editor.waitFor();
    const n = before.attributes.length;
    // A repeated question code…
    await editor.getByRole("button", { name: "添加问题" }).click();
    const dup = editor.locator("fieldset.question").nth(n);
    await dup.getByLabel("问题代码").fill("facts");
    await dup.getByLabel("问题（中文）").fill("重复的问题");
    // …and a single-choice question without choices.
    await editor.getByRole("button", { name: "添加问题" }).click();
    const list = editor.locator("fieldset.question").nth(n + 1);
    await list.getByLabel("问题代码").fill("evidence_kind");
    await list.getByLabel("答案类型").selectOption("singlevaluelist");
    await list.getByLabel("问题（中文）").fill("证据类型");
    // …and a pattern that does not compile on an existing question.
    const idq = editor.locator('fieldset.question[data-code="id_number"]');
    await idq.getByLabel("格式（正则表达式）").fill("([0-9]");
    await editor.getByRole("button", { name: `发布第 ${before.version + 1} 版` }).click();
    await page.locator("#service-form-summary", { hasText: "未发布：服务器指出 3 处问题" }).waitFor();
    const dupCode = dup.getByLabel("问题代码");
    assert.equal(await dupCode.getAttribute("aria-invalid"), "true");
    await dup.locator(".field-error", { hasText: /"facts" appears twice/ }).waitFor();
    // The first "facts" is not blamed.
    assert.equal(await editor.locator('fieldset.question[data-code="facts"]').first().getByLabel("问题代码").getAttribute("aria-invalid"), null);
    assert.match(await list.locator("fieldset.choices .field-error").textContent(), /at least one value/);
    const pattern = idq.getByLabel("格式（正则表达式）");
    assert.equal(await pattern.getAttribute("aria-invalid"), "true");
    assert.match(await idq.locator(".field-error", { hasText: "pattern" }).textContent(), /does not compile/);
    // The error is part of the input's description, for screen readers.
    const describedBy = await dupCode.getAttribute("aria-describedby");
    assert.match(describedBy, /-error/);
    // Focus went to the first input the server named.
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-invalid")), "true");
    await screenshot(page, "15-service-refused", { fullPage: true });
    // Fixing one problem and publishing again leaves the other two.
    await dup.getByLabel("问题代码").fill("facts_again");
    await editor.getByRole("button", { name: `发布第 ${before.version + 1} 版` }).click();
    await page.locator("#service-form-summary", { hasText: "2 处问题" }).waitFor();
    assert.equal(await dup.getByLabel("问题代码").getAttribute("aria-invalid"), null);
  });
  const after = (await apiCall(server, "GET", "/api/v1/services/legal_aid")).body;
  assert.deepEqual(after, before, "nothing was published");
  const token = await login(server, "admin");
  const all = (await apiCall(server, "GET", "/api/v1/services?all_versions=true", { token })).body;
  assert.equal(all.filter((d) => d.code === "legal_aid").length, 1);
});

test("application types: station staff read every version but cannot publish, retire or manage keys", async () => {
  await withPage(async (page) => {
    await signIn(page, server, "yongzhong");
    await page.getByRole("link", { name: "服务事项" }).click();
    await page.locator("#services tbody tr").first().waitFor();
    await page.locator("#services-read-only").waitFor();
    const rows = await page.locator("#services tbody tr").count();
    assert.ok(rows >= 5, `${rows} types`);
    assert.equal(await page.locator("#new-service").count(), 0);
    assert.equal(await page.getByRole("button", { name: /^(发布新版本|停用)/ }).count(), 0);
    assert.equal(await page.locator("#open311-keys-section").count(), 0);
    await page.locator('#services tr[data-code="mediation"]').getByRole("button", { name: "查看 纠纷调解" }).click();
    await page.locator("#service-questions tbody tr").first().waitFor();
    assert.ok(await page.locator("#service-versions tbody tr").count() >= 1);
    assert.equal(await page.locator("#service-editor").count(), 0);
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, "16-services-read-only");
    // In English too.
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await page.getByRole("heading", { name: "Application types", level: 2 }).waitFor();
    assert.match(await page.locator('#services tr[data-code="mediation"]').textContent(), /Judicial office of the street where it arises.*5 working days.*Taking applications/);
    await page.getByRole("button", { name: /Switch to Chinese/ }).click();
    await page.getByRole("heading", { name: "服务事项", level: 2 }).waitFor();
  });
  // The server refuses them too.
  const token = await login(server, "yongzhong");
  const def = (await apiCall(server, "GET", "/api/v1/services/mediation")).body;
  assert.equal((await apiCall(server, "POST", "/api/v1/services", { token, body: def })).status, 403);
});

test("application types: an admin creates a type and retires it (with a confirm)", async () => {
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "服务事项" }).click();
    await page.getByRole("button", { name: "新建服务事项" }).click();
    const editor = page.locator("#service-editor");
    await editor.getByLabel("事项编码").fill("notary_booking");
    await editor.getByLabel("名称（中文）").fill("公证预约");
    await editor.getByLabel("名称（英文）").fill("Notary appointment");
    await editor.getByLabel("责任单位类型").selectOption("body");
    await editor.getByLabel("单位名称（中文）").fill("龙湾区公证处");
    await editor.getByLabel("单位名称（英文）").fill("Longwan Notary Office");
    await editor.getByLabel("时限天数").fill("3");
    await editor.getByLabel("时限依据").fill("本地服务承诺");
    await editor.getByRole("button", { name: "添加问题" }).click();
    const q = editor.locator("fieldset.question").first();
    await q.getByLabel("问题代码").fill("matter");
    await q.getByLabel("答案类型").selectOption("multivaluelist");
    await q.getByLabel("问题（中文）").fill("公证事项");
    await q.getByLabel("问题（英文）").fill("Matters");
    await q.getByLabel("必填").check();
    for (const [key, zh, en] of [["will", "遗嘱", "Will"], ["contract", "合同", "Contract"]]) {
      await q.getByRole("button", { name: /^添加选项/ }).click();
      const choice = q.locator("li.choice").last();
      await choice.getByLabel(/^选项键/).fill(key);
      await choice.getByLabel(/^选项名称（中文）/).fill(zh);
      await choice.getByLabel(/^选项名称（英文）/).fill(en);
    }
    await q.getByLabel("最多选几项").fill("2");
    assert.deepEqual(await unlabelledControls(page), []);
    await editor.getByRole("button", { name: "发布第 1 版" }).click();
    await page.getByRole("status").filter({ hasText: "已发布“公证预约”第 1 版" }).waitFor();
    const row = page.locator('#services tr[data-code="notary_booking"]');
    assert.match(await row.textContent(), /龙湾区公证处.*3 个工作日.*受理中/);
    await row.getByRole("button", { name: "停用 公证预约" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("第 2 版").waitFor();
    await dialog.getByRole("button", { name: "停用", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "已停用“公证预约”" }).waitFor();
    assert.match(await page.locator('#services tr[data-code="notary_booking"]').textContent(), /已停用.*第 2 版/);
    assert.equal(await page.locator('#services tr[data-code="notary_booking"]').getByRole("button", { name: /^停用/ }).count(), 0);
  });
  const v1 = (await apiCall(server, "GET", "/api/v1/services/notary_booking?version=1")).body;
  assert.equal(v1.active, true);
  assert.deepEqual(v1.attributes[0].values.map((v) => v.key), ["will", "contract"]);
  assert.deepEqual(v1.attributes[0].validation, { max_choices: 2 });
  assert.deepEqual(v1.responsible, { kind: "body", name_zh: "龙湾区公证处", name_en: "Longwan Notary Office" });
  const v2 = (await apiCall(server, "GET", "/api/v1/services/notary_booking")).body;
  assert.equal(v2.version, 2);
  assert.equal(v2.active, false);
  const open = (await apiCall(server, "GET", "/api/v1/services")).body;
  assert.ok(!open.some((d) => d.code === "notary_booking"), "a retired type takes no applications");
});

test("Open311 keys: issued once with a warning, it files a request; revoked, the same request is refused", async () => {
  const open311Post = (key) => fetch(`${server.url}/open311/v2/requests.json`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams([
      ["api_key", key], ["service_code", "mediation"], ["lat", "27.931853"], ["long", "120.82023"],
      ["first_name", "四"], ["last_name", "李"], ["phone", "13812345678"],
      ["attribute[dispute_type]", "neighbour"], ["attribute[other_party]", "王五"],
      ["attribute[facts]", "楼上装修噪音持续三个月，协商未果。"], ["attribute[claim]", "停止夜间施工"],
      ["consent", "true"], ["consent_notice_version", "2025-01"],
    ]).toString(),
  });
  let key;
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "服务事项" }).click();
    await page.locator("#open311-keys-section").waitFor();
    // An empty name is refused in place.
    await page.getByRole("button", { name: "签发密钥" }).click();
    await page.locator("#key-name-error", { hasText: "请填写密钥名称" }).waitFor();
    await page.getByLabel("密钥名称（接入的应用）").fill("浙里办测试");
    await page.getByRole("button", { name: "签发密钥" }).click();
    await page.locator("#issued-key-value").waitFor();
    key = await page.locator("#issued-key-value").inputValue();
    assert.ok(key.length >= 20, key);
    assert.match(await page.locator("#issued-key-warning").textContent(), /只显示这一次/);
    assert.equal(await page.evaluate(() => document.activeElement.id), "issued-key-title");
    await page.getByRole("button", { name: "复制密钥" }).waitFor();
    const row = page.locator("#open311-keys tbody tr", { hasText: "浙里办测试" });
    await row.waitFor();
    assert.match(await row.textContent(), /有效/);
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, "17-open311-key-issued");
    // Closed, the key is gone from the page; the list never carries it.
    await page.getByRole("button", { name: "我已保存，关闭" }).click();
    assert.ok(!(await page.content()).includes(key));
    await page.reload();
    await page.locator("#open311-keys tbody tr").first().waitFor();
    assert.ok(!(await page.content()).includes(key));
  });
  const admin = await login(server, "admin");
  const keys = await apiCall(server, "GET", "/api/v1/open311-keys", { token: admin });
  assert.ok(!JSON.stringify(keys.body).includes(key));

  const accepted = await open311Post(key);
  const body = await accepted.json();
  assert.ok(accepted.status === 201 || accepted.status === 200, `${accepted.status} ${JSON.stringify(body)}`);
  assert.ok(body[0].service_request_id, JSON.stringify(body));

  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "服务事项" }).click();
    await page.getByRole("button", { name: "吊销 浙里办测试" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("不可撤销").waitFor();
    await dialog.getByRole("button", { name: "吊销", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "已吊销“浙里办测试”的密钥" }).waitFor();
    const row = page.locator('#open311-keys tbody tr[data-revoked="true"]', { hasText: "浙里办测试" });
    await row.waitFor();
    assert.match(await row.textContent(), /已吊销/);
    assert.equal(await row.getByRole("button").count(), 0);
    await screenshot(page, "18-open311-key-revoked");
  });
  const refused = await open311Post(key);
  assert.equal(refused.status, 403, await refused.text());
});
