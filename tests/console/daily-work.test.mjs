// A station's day in the console, end to end on the whole demo (`serve
// --demo` with its accounts and activity): an order's detail with the need
// read for a reason (image and PDF attachments, the place, the requester
// masked until a second reason), dispatch of escalated, transferred and
// declined orders with each rank's reasons, call-backs on a low-rating
// warning listed per warning and per order, a rating call-back, accounts
// created, reset, signed out, disabled and enabled, the hotline's call
// records imported (bad rows listed), and the audit log showing the day's
// reads with who, whose data, when and why. Each section is reached from
// the keyboard and read in English too.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { deflateSync, crc32 } from "node:zlib";
import { createHash } from "node:crypto";
import {
  startServer, apiCall, launchBrowser, onCleanPage, screenshot, unlabelledControls, PASSWORD,
} from "./harness.mjs";

const PUZHOU = "330303002";
let server, browser, demo;

/** username → password from the printed credentials block. */
function credentials(banner) {
  const out = {};
  for (const line of banner.split("\n")) {
    const [, username, password] = line.trim().split(/\s+/);
    if (username?.startsWith("demo-") && password) out[username] = password;
  }
  return out;
}

async function demoLogin(username) {
  const r = await apiCall(server, "POST", "/api/v1/auth/login", { body: { username, password: demo[username] } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

before(async () => {
  server = await startServer({ demoPeople: true, network: false });
  demo = credentials(server.banner);
  assert.ok(demo["demo-staff"] && demo["demo-admin"], server.banner);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function withPage(username, fn, opts = {}) {
  return onCleanPage(browser, server, async (page) => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel(/用户名|Username/).fill(username);
    await page.getByLabel(/^(密码|Password)$/).fill(demo[username] || PASSWORD);
    await page.getByRole("button", { name: /^(登录|Sign in)$/ }).click();
    await page.locator("header.top").waitFor();
    // The first section (the map) finishes drawing before the keyboard moves on.
    await page.locator("#district-map").waitFor();
    await fn(page);
  }, opts);
}

/** A small valid PNG (w × h, one colour), made here. */
function png(w, h, [r, g, b]) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3).map((_, i) => [r, g, b][i % 3])]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

async function upload(token, bytes, mediaType) {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const r = await apiCall(server, "PUT", `/api/v1/attachments/${sha256}`, { token, raw: bytes, contentType: mediaType });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { sha256, media_type: mediaType, size: bytes.length };
}

/** A mediation need of 蒲州 filed by the demo resident; its receipt. */
async function fileNeed({ description, attachments = [], point } = {}) {
  const token = await demoLogin("demo-resident");
  const now = new Date().toISOString();
  const r = await apiCall(server, "POST", "/api/v1/needs", {
    token, extraHeaders: { "idempotency-key": crypto.randomUUID() },
    body: {
      requester: { name: "林晓", phone: "13800001234" }, category: "mediation",
      description: description || "【测试】楼上漏水，协商不成，希望调解", urgency: "normal",
      location: { address: "蒲州街道示例小区 3 幢", area_code: PUZHOU, ...(point ? { point } : {}) },
      channel: "online", entered: { at: now }, consent: { given: true, at: now, notice_version: "v1" }, attachments,
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function orderOf(token, id) {
  const r = await apiCall(server, "GET", `/api/v1/orders/${id}`, { token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function orderEvent(token, id, event) {
  const order = await orderOf(token, id);
  const r = await apiCall(server, "POST", `/api/v1/orders/${id}/events`, { token, body: { event, version: order.version } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function accountId(token) {
  return (await apiCall(server, "GET", "/api/v1/me", { token })).body.id;
}

/** Focus a section's link, Enter: its heading takes focus and every control is labelled. */
async function openByKeyboard(page, name) {
  await page.getByRole("link", { name, exact: true }).focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => document.activeElement?.tagName === "H2" && document.activeElement.textContent.startsWith(n), name);
  assert.deepEqual(await unlabelledControls(page), [], `controls without a name in ${name}`);
}

test("order detail: the need read for a reason with its image, PDF and place; the contact after a second reason; both in the audit log", async () => {
  const resident = await demoLogin("demo-resident");
  const image = await upload(resident, png(64, 48, [200, 40, 40]), "image/png");
  const pdf = await upload(resident, Buffer.from("%PDF-1.4\n% daily work test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), "application/pdf");
  const receipt = await fileNeed({ attachments: [image, pdf], point: { lat: 27.9675, lng: 120.7455, datum: "wgs84" } });
  const detailReason = "调解前了解漏水纠纷案情";
  const contactReason = "电话约定调解时间";
  await withPage("demo-staff", async (page) => {
    await openByKeyboard(page, "工单调度");
    const row = page.locator(`#orders tr[data-id="${receipt.order_id}"]`);
    await row.getByRole("button", { name: `详情 ${receipt.order_id}` }).click();
    const dialog = page.locator("#order-detail");
    await dialog.locator("#order-timeline li").first().waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), "detail-title");
    // Nothing personal before a reason: no description, the form asks first.
    assert.equal(await dialog.locator("#need-description").count(), 0);
    await dialog.getByRole("button", { name: "查看诉求" }).click();
    await dialog.getByRole("alert").filter({ hasText: "请填写理由" }).waitFor();
    await dialog.getByLabel("查看诉求的理由").fill(detailReason);
    await dialog.getByRole("button", { name: "查看诉求" }).click();
    await dialog.locator("#need-description", { hasText: "楼上漏水" }).waitFor();
    await dialog.locator("#need-place circle.need-point").waitFor();
    const img = dialog.locator(`figure.attachment[data-sha="${image.sha256}"] img`);
    await img.waitFor();
    await page.waitForFunction((sel) => document.querySelector(sel)?.naturalWidth === 64, `figure.attachment[data-sha="${image.sha256}"] img`);
    const pdfLink = dialog.locator(`p.attachment[data-sha="${pdf.sha256}"] a[download]`);
    assert.match(await pdfLink.getAttribute("download"), /\.pdf$/);
    assert.match(await pdfLink.getAttribute("href"), /^blob:/);
    // The requester masked; the full number only after the second reason.
    const facts = await dialog.locator("#need-facts").textContent();
    assert.match(facts, /138\*{4}1234/);
    assert.doesNotMatch(facts, /13800001234/);
    await dialog.getByLabel("查看联系方式的理由").fill(contactReason);
    await dialog.getByRole("button", { name: "显示联系方式" }).click();
    await dialog.locator("#need-contact", { hasText: "13800001234" }).waitFor();
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, "20-order-detail", { fullPage: false });
    await dialog.locator("#detail-title").scrollIntoViewIfNeeded();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });
  // The district admin sees each read: who, whose data, when and why.
  const staffId = await accountId(await demoLogin("demo-staff"));
  await withPage("demo-admin", async (page) => {
    await openByKeyboard(page, "审计日志");
    await page.locator("#audit tbody tr").first().waitFor();
    await page.getByLabel("查看人").selectOption(String(staffId));
    await page.getByLabel("数据类型").selectOption("need");
    await page.getByLabel("数据编号").fill(String(receipt.id));
    await page.getByRole("button", { name: "筛选" }).click();
    await page.locator('#audit tr[data-action="read_need_contact"]', { hasText: contactReason }).waitFor();
    await page.locator('#audit tr[data-action="read_need_detail"]', { hasText: detailReason }).waitFor();
    assert.equal(await page.locator("#audit tbody tr").count(), 2);
    await screenshot(page, "21-audit-filtered");
    // The attachments' reads, by the reason's words.
    await page.getByLabel("数据类型").selectOption("");
    await page.getByLabel("数据编号").fill("");
    await page.getByLabel("理由包含").fill("漏水纠纷");
    await page.getByRole("button", { name: "筛选" }).click();
    await page.locator('#audit tr[data-action="read_attachment"]').nth(1).waitFor();
    assert.equal(await page.locator('#audit tr[data-action="read_attachment"]').count(), 2);
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    await page.locator("#audit tbody tr").first().waitFor();
    await screenshot(page, "22-audit-english");
  });
  // Station staff are told the log is the admins'.
  await withPage("demo-staff", async (page) => {
    await openByKeyboard(page, "审计日志");
    await page.locator("#audit-admins-only").waitFor();
  });
});

test("dispatch from escalated, transferred and declined orders, each rank with its reasons", async () => {
  const staff = await demoLogin("demo-staff");
  const volunteer = await demoLogin("demo-volunteer");
  const volunteerId = await accountId(volunteer);
  const otherId = await accountId(await demoLogin("demo-volunteer2"));
  const escalated = (await fileNeed({ description: "【测试】上报的工单" })).order_id;
  const transferred = (await fileNeed({ description: "【测试】转办的工单" })).order_id;
  const declined = (await fileNeed({ description: "【测试】退回的工单" })).order_id;
  await orderEvent(staff, escalated, { event: "escalate", reason: "需要街道协调多个部门" });
  const areas = (await apiCall(server, "GET", "/api/v1/areas", { token: staff })).body.features;
  const village = areas.find((f) => f.properties.level === "village" && f.properties.code.startsWith(PUZHOU)).properties.code;
  await orderEvent(staff, transferred, { event: "transfer", to_level: "village", to_area: village, reason: "由所在社区调解员办理" });
  await orderEvent(staff, declined, { event: "assign", assignee: String(volunteerId) });
  await orderEvent(volunteer, declined, { event: "decline", reason: "本周出差无法上门" });
  for (const [id, state] of [[escalated, "escalated"], [transferred, "transferred"], [declined, "open"]]) {
    assert.equal((await orderOf(staff, id)).state, state);
  }
  await withPage("demo-staff", async (page) => {
    await openByKeyboard(page, "工单调度");
    await page.locator(`#orders tr[data-id="${declined}"] small.declined`, { hasText: "本周出差无法上门" }).waitFor();
    for (const id of [escalated, transferred, declined]) {
      const row = page.locator(`#orders tr[data-id="${id}"]`);
      await row.getByRole("button", { name: `派单 ${id}` }).click();
      const dialog = page.getByRole("dialog");
      const choice = dialog.locator(`input[name=assignee][value="${otherId}"]`);
      await choice.waitFor();
      // Why this rank: every factor's points and reason.
      const why = await dialog.locator(`#sg-why-${otherId}`).textContent();
      assert.match(why, /\(\d+(\.\d)?\/\d+/);
      await choice.check();
      if (id === escalated) await screenshot(page, "23-dispatch-escalated");
      await dialog.getByRole("button", { name: "派单", exact: true }).click();
      await page.getByRole("status").filter({ hasText: `工单 ${id} 已派出` }).waitFor();
      await page.locator(`#orders tr[data-id="${id}"][data-state="assigned"]`).waitFor();
    }
    // The timeline tells the whole story of the declined one.
    await page.locator(`#orders tr[data-id="${declined}"]`).getByRole("button", { name: `详情 ${declined}` }).click();
    const timeline = page.locator("#order-timeline");
    await timeline.locator('li[data-event="decline"]', { hasText: "本周出差无法上门" }).waitFor();
    assert.equal(await timeline.locator('li[data-event="assign"]').count(), 2);
    await screenshot(page, "24-order-timeline");
  });
  for (const id of [escalated, transferred, declined]) {
    const o = await orderOf(staff, id);
    assert.equal(o.state, "assigned");
    assert.equal(o.assignee, String(otherId));
  }
});

test("call-backs: recorded on the low-rating warning, listed per warning and per order; then it resolves", async () => {
  const staff = await demoLogin("demo-staff");
  const warnings = (await apiCall(server, "GET", "/api/v1/warnings", { token: staff })).body;
  const low = warnings.find((w) => w.requires_call_back && w.state !== "resolved");
  assert.ok(low, `the demo has a low rating waiting for its call-back: ${JSON.stringify(warnings)}`);
  const orderId = low.subject.order_id;
  await withPage("demo-staff", async (page) => {
    await openByKeyboard(page, "异常预警");
    const row = page.locator(`#warnings tr[data-id="${low.id}"]`);
    await row.locator(".badge", { hasText: "需回访" }).waitFor();
    // Resolving before the call-back is refused by the server, and said so.
    await row.getByRole("button", { name: `办结 ${low.id}` }).click();
    await page.getByLabel("办结说明").fill("已处理");
    await page.getByRole("dialog").getByRole("button", { name: "办结" }).click();
    await page.getByRole("status").filter({ hasText: "出错了" }).waitFor();
    // Not reached first, then reached.
    await page.locator(`#warnings tr[data-id="${low.id}"]`).getByRole("button", { name: `回访 ${low.id}` }).click();
    assert.equal(await page.evaluate(() => document.activeElement.id), "cbw-reached");
    await page.getByRole("textbox", { name: "记录" }).fill("无人接听，明天上午再打");
    await page.getByRole("button", { name: "保存回访" }).click();
    await page.getByRole("status").filter({ hasText: `已记录预警 ${low.id} 的回访` }).waitFor();
    await page.locator(`#warnings tr[data-id="${low.id}"]`).getByRole("button", { name: `回访 ${low.id}` }).click();
    await page.getByLabel("已联系上群众").check();
    await page.getByRole("textbox", { name: "记录" }).fill("已联系上，群众对等待时间不满，已致歉并说明原因");
    await page.getByRole("button", { name: "保存回访" }).click();
    await page.locator("dialog").waitFor({ state: "detached", timeout: 3000 }).catch(async () => {
      throw new Error(`dialog still open: ${await page.locator("dialog").textContent()}`);
    });
    const cell = page.locator(`#warnings tr[data-id="${low.id}"] td.call-backs`);
    await cell.locator("li", { hasText: "已致歉" }).waitFor();
    assert.equal(await cell.locator("li").count(), 2);
    assert.equal(await cell.locator(".badge").count(), 0, "no call-back needed any more");
    await screenshot(page, "25-warning-call-backs");
    // Per order: both calls in the order's detail.
    await page.locator(`#warnings tr[data-id="${low.id}"]`).getByRole("button", { name: `详情 ${orderId}` }).click();
    const table = page.locator("#call-backs");
    await table.locator('tr[data-source="warning"]', { hasText: "无人接听" }).waitFor();
    await table.locator('tr[data-source="warning"]', { hasText: "已联系上" }).waitFor();
    await screenshot(page, "26-order-call-backs");
    await page.locator("#detail-close").click();
    // Now it resolves.
    await page.locator(`#warnings tr[data-id="${low.id}"]`).getByRole("button", { name: `办结 ${low.id}` }).click();
    await page.getByLabel("办结说明").fill("回访已完成，群众表示理解");
    await page.getByRole("dialog").getByRole("button", { name: "办结" }).click();
    await page.getByRole("status").filter({ hasText: `已办结预警 ${low.id}` }).waitFor();
    await page.locator(`#warnings tr[data-id="${low.id}"]`).waitFor({ state: "detached" });
  });
  const after = (await apiCall(server, "GET", `/api/v1/orders/${orderId}/call-backs`, { token: staff })).body;
  assert.equal(after.filter((c) => c.source === "warning").length, 2);
  assert.deepEqual(after.map((c) => c.outcome), [null, "reached"]);
});

test("a rating call-back on a resolved order from its detail: the score is recorded and listed", async () => {
  const admin = await demoLogin("demo-admin");
  const orders = (await apiCall(server, "GET", "/api/v1/orders?state=resolved", { token: admin })).body;
  const resolved = (orders.items || orders)[0];
  assert.ok(resolved, "the demo has a resolved order waiting for its rating");
  await withPage("demo-admin", async (page) => {
    await page.getByRole("link", { name: "工单调度", exact: true }).click();
    await page.locator(`#orders tr[data-id="${resolved.id}"]`).getByRole("button", { name: `详情 ${resolved.id}` }).click();
    const form = page.locator("#call-back-form");
    await form.waitFor();
    await form.getByLabel("结果").selectOption("reached");
    await form.getByLabel("评分").selectOption("4");
    await form.getByLabel("群众意见").fill("办得挺快");
    await form.getByLabel("记录").fill("电话回访，本人接听");
    await form.getByRole("button", { name: "保存回访" }).click();
    await page.locator('#call-backs tr[data-source="rating"]', { hasText: "电话回访，本人接听" }).waitFor();
    assert.match(await page.locator('#call-backs tr[data-source="rating"]').textContent(), /已联系上.*4/);
    // Rated now: later call-backs follow up without a score.
    await page.locator("#cb-title", { hasText: /^记录回访$/ }).waitFor();
    assert.equal(await page.locator("#call-back-form").getByLabel("评分").isVisible(), false);
    await screenshot(page, "27-rating-call-back");
  });
  assert.equal((await orderOf(admin, resolved.id)).state, "evaluated");
});

test("a call-back on an order still open: recorded from its detail without a score, and listed", async () => {
  const need = await fileNeed({ description: "【测试】回访进度: 邻里纠纷" });
  await withPage("demo-staff", async (page) => {
    await page.getByRole("link", { name: "工单调度", exact: true }).click();
    await page.locator(`#orders tr[data-id="${need.order_id}"]`).getByRole("button", { name: `详情 ${need.order_id}` }).click();
    const form = page.locator("#call-back-form");
    await page.locator("#cb-title", { hasText: /^记录回访$/ }).waitFor();
    await form.getByLabel("结果").selectOption("reached");
    assert.equal(await form.getByLabel("评分").isVisible(), false, "no rating before the order is resolved");
    await form.getByRole("button", { name: "保存回访" }).click();
    await form.getByRole("alert").filter({ hasText: /\S/ }).waitFor();
    await form.getByLabel("记录").fill("询问进度，当事人表示已与调解员约好时间");
    await form.getByRole("button", { name: "保存回访" }).click();
    await page.locator('#call-backs tr[data-source="rating"]', { hasText: "已与调解员约好时间" }).waitFor();
    await screenshot(page, "38-follow-up-call-back");
  });
  const staff = await demoLogin("demo-staff");
  const listed = (await apiCall(server, "GET", `/api/v1/orders/${need.order_id}/call-backs`, { token: staff })).body;
  assert.deepEqual(listed.map((c) => [c.outcome, c.score]), [["reached", null]]);
  assert.equal((await orderOf(staff, need.order_id)).state, "open");
});

test("accounts: staff create a volunteer's account in their street, reset its password (shown once), disable and enable it; the admin signs it out", async () => {
  let fresh = "";
  await withPage("demo-staff", async (page) => {
    await openByKeyboard(page, "账号");
    await page.locator("#create-account-box summary").click();
    const form = page.locator("#create-account");
    assert.equal(await form.getByLabel("街道").isDisabled(), true, "station staff create in their own street only");
    assert.equal(await form.getByLabel("街道").inputValue(), PUZHOU);
    // A refusal names the field.
    await form.getByLabel("用户名", { exact: true }).fill("Bad Name");
    await form.getByLabel("姓名").fill("新志愿者");
    await form.getByLabel("角色").selectOption("volunteer");
    await form.getByLabel("手机").fill("13900002222");
    await form.getByLabel("密码").fill("first-password-1");
    await form.getByRole("button", { name: "创建" }).click();
    await form.locator("#create-error", { hasText: "出错了" }).waitFor();
    assert.equal(await form.getByLabel("用户名", { exact: true }).getAttribute("aria-invalid"), "true");
    await form.getByLabel("用户名", { exact: true }).fill("new-volunteer");
    await form.getByRole("button", { name: "创建" }).click();
    await page.getByRole("status").filter({ hasText: "已创建账号 new-volunteer" }).waitFor();
    const row = page.locator('#accounts tr[data-username="new-volunteer"]');
    assert.match(await row.locator("td.phone").textContent(), /139\*{4}2222/);
    // The full number for a reason.
    await row.getByRole("button", { name: "查看联系方式 new-volunteer" }).click();
    await page.getByLabel("查看联系方式的理由").fill("通知志愿者参加培训");
    await page.getByRole("dialog").getByRole("button", { name: "显示联系方式" }).click();
    await page.locator("#account-contact .full-phone", { hasText: "13900002222" }).waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "关闭" }).click();
    // A new password, shown once; the old one stops working.
    const before = await apiCall(server, "POST", "/api/v1/auth/login", { body: { username: "new-volunteer", password: "first-password-1" } });
    assert.equal(before.status, 200);
    await row.getByRole("button", { name: "重置密码 new-volunteer" }).click();
    await page.getByRole("button", { name: "生成新密码" }).click();
    fresh = (await page.locator("#new-password").textContent()).trim();
    assert.ok(fresh.length >= 10);
    await screenshot(page, "28-account-password-reset");
    await page.getByRole("dialog").getByRole("button", { name: "关闭" }).click();
    assert.equal((await apiCall(server, "GET", "/api/v1/me", { token: before.body.token })).status, 401, "the reset ended the session");
    assert.equal((await apiCall(server, "POST", "/api/v1/auth/login", { body: { username: "new-volunteer", password: "first-password-1" } })).status, 401);
    const second = await apiCall(server, "POST", "/api/v1/auth/login", { body: { username: "new-volunteer", password: fresh } });
    assert.equal(second.status, 200);
    // Signing someone out everywhere is the district admins' (below).
    assert.equal(await row.getByRole("button", { name: "强制下线 new-volunteer" }).count(), 0);
    // Disabled: no sign-in; enabled again: sign-in.
    await row.getByRole("button", { name: "停用 new-volunteer" }).click();
    await page.locator('#accounts tr[data-username="new-volunteer"][data-disabled="true"]').waitFor();
    assert.notEqual((await apiCall(server, "POST", "/api/v1/auth/login", { body: { username: "new-volunteer", password: fresh } })).status, 200);
    await page.locator('#accounts tr[data-username="new-volunteer"]').getByRole("button", { name: "启用 new-volunteer" }).click();
    await page.locator('#accounts tr[data-username="new-volunteer"][data-disabled="false"]').waitFor();
    assert.equal((await apiCall(server, "POST", "/api/v1/auth/login", { body: { username: "new-volunteer", password: fresh } })).status, 200);
    await screenshot(page, "29-accounts");
  });
  // The district admin signs the account out everywhere.
  const session = await apiCall(server, "POST", "/api/v1/auth/login", { body: { username: "new-volunteer", password: fresh } });
  assert.equal(session.status, 200);
  await withPage("demo-admin", async (page) => {
    await page.getByRole("link", { name: "账号", exact: true }).click();
    await page.locator('#accounts tr[data-username="new-volunteer"]').getByRole("button", { name: "强制下线 new-volunteer" }).click();
    await page.getByRole("status").filter({ hasText: "已让 new-volunteer 在所有设备下线" }).waitFor();
  });
  assert.equal((await apiCall(server, "GET", "/api/v1/me", { token: session.body.token })).status, 401);
  const admin = await demoLogin("demo-admin");
  const created = (await apiCall(server, "GET", "/api/v1/accounts?limit=500", { token: admin })).body.items.find((a) => a.username === "new-volunteer");
  assert.equal(created.role, "volunteer");
  assert.equal(created.street_code, PUZHOU);
});

test("hotline records: a file with bad rows is refused with every bad row listed; a good one feeds the indicators", async () => {
  await withPage("demo-admin", async (page) => {
    await openByKeyboard(page, "热线记录");
    await page.locator("#hotline-indicators tbody tr").first().waitFor();
    const bad = "call_id,started_at,answered,rating,street_code\nt1,2025-03-03 09:00:00,1,5,330303002\nt2,not a time,1,5,330303002\nt3,2025-03-03 09:10:00,maybe,9,330303002\n";
    await page.getByLabel("CSV 文件").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await page.getByRole("button", { name: "导入", exact: true }).click();
    await page.locator("#hotline-result", { hasText: "未导入任何记录" }).waitFor();
    const lines = await page.locator("#hotline-problems tbody tr td:first-child").allTextContents();
    assert.ok(lines.includes("3") && lines.includes("4"), `every bad row listed: ${lines}`);
    assert.ok(!lines.includes("2"), "the good row is not listed");
    await screenshot(page, "30-hotline-refused");
    const now = new Date();
    const stamp = (m) => new Date(now.getTime() - m * 60_000).toISOString().slice(0, 19).replace("T", " ");
    const good = `call_id,started_at,answered,rating,street_code\nd1,${stamp(30)},1,5,${PUZHOU}\nd2,${stamp(20)},0,,${PUZHOU}\n`;
    await page.getByLabel("CSV 文件").setInputFiles({ name: "good.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
    await page.getByRole("button", { name: "导入", exact: true }).click();
    await page.locator("#hotline-result", { hasText: "已导入 2 条" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), "hotline-result");
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await page.getByRole("heading", { name: "Hotline records" }).waitFor();
    await page.locator("#hotline-indicators tbody tr").first().waitFor();
    await screenshot(page, "31-hotline-english");
  });
  // Station staff see the indicators, not the import.
  await withPage("demo-staff", async (page) => {
    await openByKeyboard(page, "热线记录");
    await page.locator("#hotline-admins-import").waitFor();
    assert.equal(await page.locator("#hotline-import").count(), 0);
  });
});

test("volunteers: hours, stars and the punch chain; suspend and reinstate with reasons; the admin lends one, ends the loan early and removes one", async () => {
  await withPage("demo-staff", async (page) => {
    await openByKeyboard(page, "志愿者库");
    const wang = page.locator("#pool tr", { hasText: "王芳" });
    await wang.waitFor();
    assert.match(await wang.locator("td.hours").textContent(), /值班 \d+\.\d 小时/);
    assert.match(await wang.locator("td.stars").textContent(), /未评星|★/);
    await wang.getByRole("button", { name: /^核验打卡链/ }).click();
    await wang.locator("td.chain", { hasText: "完整" }).waitFor();
    // Suspended with a reason, then reinstated.
    const chen = page.locator("#pool tr", { hasText: "陈亮" });
    await chen.getByRole("button", { name: /^暂停/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "暂停" }).click();
    await page.getByRole("dialog").getByRole("alert").filter({ hasText: /\S/ }).waitFor();
    await page.getByRole("dialog").getByLabel("原因").fill("本月多次未按时到岗，暂停派单");
    await page.getByRole("dialog").getByRole("button", { name: "暂停" }).click();
    await page.locator("#suspended tr", { hasText: "陈亮" }).filter({ hasText: "未按时到岗" }).waitFor();
    assert.equal(await page.locator("#pool tr", { hasText: "陈亮" }).count(), 0);
    await screenshot(page, "32-volunteers-suspended");
    await page.locator("#suspended tr", { hasText: "陈亮" }).getByRole("button", { name: /^恢复/ }).click();
    await page.getByRole("dialog").getByLabel("原因").fill("已谈话，恢复派单");
    await page.getByRole("dialog").getByRole("button", { name: "恢复" }).click();
    await page.locator("#pool tr", { hasText: "陈亮" }).waitFor();
    // Lending is the district admins'.
    assert.equal(await wang.getByRole("button", { name: /^借调/ }).count(), 0);
  });
  await withPage("demo-admin", async (page) => {
    await page.getByRole("link", { name: "志愿者库", exact: true }).click();
    const wang = page.locator("#pool tr", { hasText: "王芳" });
    await wang.getByRole("button", { name: /^借调/ }).click();
    await page.getByLabel("借调到街道").selectOption("330303001");
    await page.getByRole("dialog").getByLabel("原因").fill("永中街道调解员不足，临时支援");
    await page.getByRole("dialog").getByRole("button", { name: "借调" }).click();
    await wang.locator("td.loan", { hasText: "借调至" }).waitFor();
    const chen = page.locator("#pool tr", { hasText: "陈亮" });
    await chen.getByRole("button", { name: /^清退/ }).click();
    await page.getByRole("dialog").getByLabel("原因").fill("本人已调离本区，不再参与志愿服务");
    await page.getByRole("dialog").getByRole("button", { name: "清退" }).click();
    await page.getByRole("status").filter({ hasText: "已清退" }).waitFor();
    assert.equal(await page.locator("#pool tr", { hasText: "陈亮" }).count(), 0);
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await page.getByRole("heading", { name: "Volunteers", exact: true }).waitFor();
    await page.locator("#pool tr", { hasText: "王芳" }).locator("td.loan", { hasText: "lent to" }).waitFor();
    await screenshot(page, "33-volunteers-english");
    // The loan ends early: the volunteer goes home, with a reason.
    await page.locator("#pool tr", { hasText: "王芳" }).getByRole("button", { name: /^End loan/ }).click();
    await page.getByRole("dialog").getByLabel("Reason").fill("Puzhou needs her back for the weekend mediation day");
    await page.getByRole("dialog").getByRole("button", { name: "End loan" }).click();
    await page.getByRole("status").filter({ hasText: "back from the loan" }).waitFor();
    await page.locator("#pool tr", { hasText: "王芳" }).locator("td.loan", { hasText: "—" }).waitFor();
    assert.equal(await page.locator("#pool tr", { hasText: "王芳" }).getByRole("button", { name: /^End loan/ }).count(), 0);
  });
});

test("exports: the street's orders and needs as CSV, masked by default, in full only with a reason; both audited", async () => {
  const receipt = await fileNeed({ description: "【测试】导出用的诉求描述" });
  const { readFileSync } = await import("node:fs");
  await withPage("demo-staff", async (page) => {
    await openByKeyboard(page, "工单调度");
    await page.locator("#exports summary").click();
    const take = async (button) => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.locator(button).click()]);
      return { name: download.suggestedFilename(), text: readFileSync(await download.path(), "utf8") };
    };
    const orders = await take("#export-orders");
    assert.match(orders.name, /^orders-\d{8}\.csv$/);
    const lines = orders.text.replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    assert.match(lines[0], /^id,need_id,kind,category,state/);
    const mine = lines.find((l) => l.startsWith(`${receipt.order_id},`));
    assert.ok(mine, `the new order is exported: ${orders.text}`);
    assert.match(mine, /138\*{4}1234/);
    assert.doesNotMatch(orders.text, /13800001234/);
    // Only this street's orders.
    assert.ok(lines.slice(1).every((l) => l.split(",")[8] === PUZHOU), "station staff export their street only");
    const masked = await take("#export-needs");
    assert.doesNotMatch(masked.text, /导出用的诉求描述|13800001234/);
    await page.getByLabel("导出完整信息的理由（可不填）").fill("向区司法局报送本月诉求台账");
    const full = await take("#export-needs");
    assert.match(full.text, /导出用的诉求描述/);
    assert.match(full.text, /13800001234/);
    await page.getByRole("status").filter({ hasText: "完整信息" }).waitFor();
    await screenshot(page, "34-exports");
    // The order's detail reads in English too.
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await page.locator(`#orders tr[data-id="${receipt.order_id}"]`).getByRole("button", { name: `Details ${receipt.order_id}` }).click();
    await page.getByRole("heading", { name: "Timeline" }).waitFor();
    await page.locator("#order-timeline li", { hasText: "Opened" }).waitFor();
    await page.getByRole("button", { name: "Read the need" }).waitFor();
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, "37-order-detail-english");
  });
  const admin = await demoLogin("demo-admin");
  const entries = (await apiCall(server, "GET", "/api/v1/audit?limit=500", { token: admin })).body.items;
  const exports = entries.filter((e) => e.subject_type === "export");
  assert.ok(exports.some((e) => e.action === "export_full" && e.reason === "向区司法局报送本月诉求台账" && e.subject_id.startsWith("needs")));
  assert.equal(exports.filter((e) => e.action === "export_masked").length, 2);
});

test("siting: a product and k give the suggested sites on the map with coverage before and after, as the server computes them", async () => {
  const admin = await demoLogin("demo-admin");
  const expected = await apiCall(server, "GET", "/api/v1/siting?product=legal_aid&k=2", { token: admin });
  assert.equal(expected.status, 200, JSON.stringify(expected.body));
  assert.ok(expected.body.after.rate >= expected.body.before.rate);
  for (const bad of ["k=11", "k=0", "k=two", "product=nothing&k=1"]) {
    const q = bad.startsWith("product") ? bad : `product=legal_aid&${bad}`;
    assert.equal((await apiCall(server, "GET", `/api/v1/siting?${q}`, { token: admin })).status, 400, q);
  }
  await withPage("demo-staff", async (page) => {
    await openByKeyboard(page, "选址分析");
    await page.getByLabel("服务项目").selectOption("legal_aid");
    await page.getByLabel("新址数量 k").fill("11");
    await page.getByRole("button", { name: "计算选址" }).click();
    await page.locator("#siting-error", { hasText: "1 到 10" }).waitFor();
    await page.getByLabel("新址数量 k").fill("2");
    await page.getByRole("button", { name: "计算选址" }).click();
    await page.locator("#siting-summary").waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), "siting-summary");
    const pct = (r) => `${(r * 100).toFixed(1)}%`;
    const summary = await page.locator("#siting-summary").textContent();
    assert.ok(summary.includes(pct(expected.body.before.rate)) && summary.includes(pct(expected.body.after.rate)), summary);
    const ids = await page.locator("#siting-sites tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.candidate));
    assert.deepEqual(ids, expected.body.chosen.map((c) => c.candidate_id));
    assert.equal(await page.locator("#siting-map g.site").count(), expected.body.chosen.length);
    await screenshot(page, "35-siting");
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await page.getByRole("heading", { name: "Siting", exact: true }).waitFor();
    await page.getByRole("button", { name: "Suggest sites" }).click();
    await page.locator("#siting-summary", { hasText: "coverage from" }).waitFor();
    await screenshot(page, "36-siting-english");
  });
});
