// The public rating page (服务评价) in Debian's headless Chromium on a
// phone-sized screen: a need entered on site by a lawyer for someone
// without an account is resolved by another lawyer, whose phone gets the
// one-time link (shown as a QR code); the requester opens it, gives four
// stars and a comment, and a second visit is refused with a clear message.
// No script, nothing from another origin, no personal data on the page.
// Screenshots in artifacts/console/rating-*.png.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, createAccount, apiCall, login, launchBrowser, screenshot, unlabelledControls,
} from "./harness.mjs";

const STREET = "330303001";
const VILLAGE = "330303001001";
let server, browser;

before(async () => {
  server = await startServer({ network: false });
  createAccount(server, "staff", "station_staff", "永中司法所", STREET);
  createAccount(server, "lawyer-a", "lawyer", "律师甲");
  createAccount(server, "lawyer-b", "lawyer", "律师乙");
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function ok(r, status, what) {
  assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A lawyer in the street's pool, approved by staff. */
async function approvedLawyer(username, staff) {
  const token = await login(server, username);
  const app = await ok(await apiCall(server, "POST", "/api/v1/volunteers", {
    token,
    body: {
      name: username, phone: "13912345678", profession: "lawyer", service_directions: ["lawyer"],
      specialties: ["neighbour"], home_street_code: STREET, availability: "24/7",
    },
  }), 201, "apply");
  await ok(await apiCall(server, "POST", `/api/v1/volunteers/${app.id}/actions`, {
    token: staff, body: { action: { action: "approve" }, version: 1 },
  }), 200, "approve");
  const me = await ok(await apiCall(server, "GET", "/api/v1/me", { token }), 200, "me");
  return { token, id: me.id };
}

test("a requester without an account rates the service on the public page, once", async () => {
  const staff = await login(server, "staff");
  const a = await approvedLawyer("lawyer-a", staff);
  const b = await approvedLawyer("lawyer-b", staff);
  const now = new Date().toISOString();
  const receipt = await ok(await apiCall(server, "POST", "/api/v1/needs", {
    token: a.token,
    extraHeaders: { "idempotency-key": `rating-page-${Date.now()}` },
    body: {
      requester: { name: "王五", phone: "13900001111" },
      category: "mediation",
      description: "邻里漏水纠纷，希望调解",
      urgency: "normal",
      location: { address: "永中街道示例社区", area_code: VILLAGE },
      channel: "on_site",
      entered: { at: now },
      consent: { given: true, at: now, notice_version: "v1" },
    },
  }), 201, "file");
  const order = receipt.order_id;
  let o = await ok(await apiCall(server, "GET", `/api/v1/orders/${order}`, { token: staff }), 200, "order");
  o = await ok(await apiCall(server, "POST", `/api/v1/orders/${order}/events`, {
    token: staff, body: { event: { event: "assign", assignee: String(b.id) }, version: o.version },
  }), 200, "assign");
  o = await ok(await apiCall(server, "POST", `/api/v1/orders/${order}/events`, {
    token: b.token, body: { event: { event: "accept" }, version: o.version },
  }), 200, "accept");
  await ok(await apiCall(server, "POST", `/api/v1/orders/${order}/events`, {
    token: b.token, body: { event: { event: "resolve", note: "已调解" }, version: o.version },
  }), 200, "resolve");
  // The holder's phone gets the link for the QR code.
  const link = await ok(await apiCall(server, "POST", `/api/v1/orders/${order}/rating-link`, { token: b.token }), 201, "link");
  assert.ok(link.url.startsWith(`${server.url}/r/`), link.url);

  const context = await browser.newContext({
    locale: "zh-CN", viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(server.url).origin;
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(m.text()); });
  page.on("request", (r) => { if (!r.url().startsWith(origin)) problems.push(`third-party request: ${r.url()}`); });
  try {
    const res = await page.goto(link.url);
    assert.equal(res.status(), 200);
    assert.match(res.headers()["content-security-policy"], /script-src 'none'/);
    await page.getByRole("heading", { name: "请为本次服务打分" }).waitFor();
    const html = await page.content();
    for (const privateText of ["王五", "13900001111", "漏水"]) assert.ok(!html.includes(privateText), `${privateText} is shown`);
    assert.equal(await page.locator("script").count(), 0);
    assert.deepEqual(await unlabelledControls(page), []);
    // The stylesheet applied (same origin): the submit button is full width.
    const width = await page.getByRole("button", { name: "提交评价" }).evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(width > 300, `button width ${width}`);
    await screenshot(page, "rating-01-form", { fullPage: true });

    await page.locator('label[for="s4"]').click();
    assert.equal(await page.locator("#s4").isChecked(), true);
    await page.getByLabel("意见和建议（选填）").fill("律师很耐心，解释清楚");
    await screenshot(page, "rating-02-filled", { fullPage: true });
    await page.getByRole("button", { name: "提交评价" }).click();
    await page.getByRole("heading", { name: "感谢您的评价！" }).waitFor();
    await screenshot(page, "rating-03-thanks");

    // Again: refused with a clear message.
    const again = await page.goto(link.url);
    assert.equal(again.status(), 409);
    await page.getByRole("heading", { name: /已经评价过了/ }).waitFor();
    await screenshot(page, "rating-04-already-rated");
    assert.deepEqual(problems, [], "no script errors, no policy violations, no third-party requests");
  } finally {
    await context.close();
  }
  const after = await ok(await apiCall(server, "GET", `/api/v1/orders/${order}`, { token: staff }), 200, "order");
  assert.equal(after.state, "evaluated");
  const indicators = await ok(await apiCall(server, "GET", "/api/v1/indicators", { token: staff }), 200, "indicators");
  assert.equal(indicators.ratings.district.by_channel.link, 1);
});
