// Quality spot checks (质量抽查) in the console, end to end: station staff
// draw the week's sample from the keyboard, review a sampled order with a
// verdict and a note, see their street's results and the draw record
// (re-checked by the server); they never see another street's orders;
// the district admin sees every street; the page reads in English too.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, createAccount, apiCall, login, launchBrowser, onCleanPage, screenshot, signIn, unlabelledControls,
  seedOrder,
} from "./harness.mjs";

let server, browser;
const YONGZHONG = "330303001";
const PUZHOU = "330303002";

before(async () => {
  server = await startServer({ network: false });
  createAccount(server, "admin", "district_admin", "区司法局管理员");
  createAccount(server, "yongzhong", "station_staff", "永中司法所", YONGZHONG);
  createAccount(server, "puzhou", "station_staff", "蒲州司法所", PUZHOU);
  createAccount(server, "vol-y", "volunteer", "永中调解员", YONGZHONG);
  createAccount(server, "vol-p", "volunteer", "蒲州调解员", PUZHOU);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const withPage = (fn, opts = {}) => onCleanPage(browser, server, fn, opts);

/** An active volunteer of `street`; returns the account id. */
async function activeVolunteer(username, street) {
  const token = await login(server, username);
  const applied = await apiCall(server, "POST", "/api/v1/volunteers", { token, body: {
    name: username, phone: "13900139000", profession: "mediator", service_directions: ["mediation"],
    specialties: ["邻里纠纷"], home_street_code: street, availability: "Mo-Su 00:00-24:00" } });
  assert.equal(applied.status, 201, JSON.stringify(applied.body));
  const admin = await login(server, "admin");
  const approved = await apiCall(server, "POST", `/api/v1/volunteers/${applied.body.id}/actions`, {
    token: admin, body: { action: { action: "approve" }, version: applied.body.version } });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  return { token, id: (await apiCall(server, "GET", "/api/v1/me", { token })).body.id };
}

/** A service order of `street`, assigned, accepted and resolved now. */
async function resolvedOrder(needId, street, volunteer) {
  const id = seedOrder(server, needId, street);
  const admin = await login(server, "admin");
  let o = (await apiCall(server, "GET", `/api/v1/orders/${id}`, { token: admin })).body;
  let r = await apiCall(server, "POST", `/api/v1/orders/${id}/events`, { token: admin,
    body: { event: { event: "assign", assignee: String(volunteer.id) }, version: o.version } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (const event of [{ event: "accept" }, { event: "resolve", note: "已调解" }]) {
    r = await apiCall(server, "POST", `/api/v1/orders/${id}/events`, { token: volunteer.token,
      body: { event, version: r.body.version } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  return id;
}

test("spot checks: staff draw their street's sample from the keyboard, review it, and see the results", async () => {
  const y = await activeVolunteer("vol-y", YONGZHONG);
  const p = await activeVolunteer("vol-p", PUZHOU);
  const mine = [];
  for (let i = 0; i < 4; i++) mine.push(await resolvedOrder(9301 + i, YONGZHONG, y));
  const theirs = await resolvedOrder(9401, PUZHOU, p);

  await withPage(async (page) => {
    await signIn(page, server, "yongzhong");
    await page.getByRole("link", { name: "质量抽查" }).click();
    await page.locator("#no-spot-checks").waitFor();
    // From the keyboard: the week field (Tab walks its week and year
    // parts first), then Tab to the draw button, Enter.
    await page.getByLabel("周次").focus();
    for (let i = 0; i < 4 && (await page.evaluate(() => document.activeElement.id)) === "spot-week"; i++) {
      await page.keyboard.press("Tab");
    }
    assert.equal(await page.evaluate(() => document.activeElement.id), "spot-draw");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "已抽取 1 件工单" }).waitFor();
    // 4 resolved in the street: ceil(4 × 5%) = 1 sampled, from this street only.
    const rows = page.locator("#spot-checks tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    const sampled = await rows.first().getAttribute("data-id");
    assert.ok(mine.includes(sampled), `${sampled} is one of the street's orders`);
    assert.equal(await page.locator(`#spot-checks tr[data-id="${theirs}"]`).count(), 0);
    const result = page.locator(`#spot-results tr[data-street="${YONGZHONG}"]`);
    assert.deepEqual(await result.locator("td").allTextContents(), ["永中街道", "4", "1", "25%", "0", "0", "0", "0"]);
    assert.equal(await page.locator(`#spot-results tr[data-street="${PUZHOU}"]`).count(), 0);
    // The draw record, re-checked by the server.
    const draw = page.locator("#spot-draws tbody tr");
    assert.equal(await draw.count(), 1);
    assert.match(await draw.first().textContent(), /永中街道.*是$/);
    assert.deepEqual(await unlabelledControls(page), []);

    // A verdict other than satisfactory needs a note.
    await page.getByLabel(`结论 ${sampled}`).selectOption("needs_improvement");
    await page.getByRole("button", { name: `保存 ${sampled}` }).click();
    await page.getByRole("status").filter({ hasText: "须填写说明" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), `说明 ${sampled}`);
    await page.getByLabel(`说明 ${sampled}`).fill("未按时回访当事人");
    await page.getByRole("button", { name: `保存 ${sampled}` }).click();
    await page.getByRole("status").filter({ hasText: `工单 ${sampled} 的抽查结论已保存` }).waitFor();
    await page.locator(`#spot-checks tr[data-id="${sampled}"][data-outcome="needs_improvement"]`).waitFor();
    assert.deepEqual(await result.locator("td").allTextContents(), ["永中街道", "4", "1", "25%", "1", "0", "1", "0"]);
    await screenshot(page, "20-spot-checks", { fullPage: true });

    // English.
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await page.getByRole("heading", { name: "Spot checks", level: 2 }).waitFor();
    await page.getByRole("button", { name: "Draw the week's sample" }).waitFor();
    assert.equal(await page.getByLabel(`Verdict ${sampled}`).inputValue(), "needs_improvement");
    await screenshot(page, "21-spot-checks-en", { fullPage: true });
    await page.getByRole("button", { name: /Switch to Chinese/ }).click();
  });

  // Another street's staff cannot write a verdict on it (the server says so).
  const puzhou = await login(server, "puzhou");
  const week = (await apiCall(server, "GET", "/api/v1/spot-checks", { token: puzhou })).body.week;
  const stolen = await apiCall(server, "POST", `/api/v1/spot-checks/${mine[0]}`, { token: puzhou,
    body: { outcome: "unsatisfactory", note: "越权", week } });
  assert.equal(stolen.status, 404, JSON.stringify(stolen.body));

  // The district admin draws every street: Puzhou's one order is drawn too.
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "质量抽查" }).click();
    await page.getByLabel("街道", { exact: true }).selectOption("");
    await page.getByRole("button", { name: "抽取本周样本" }).click();
    await page.getByRole("status").filter({ hasText: /已抽取 \d+ 件工单/ }).waitFor();
    await page.locator(`#spot-checks tr[data-id="${theirs}"]`).waitFor();
    await page.locator(`#spot-results tr[data-street="${PUZHOU}"]`).waitFor();
    assert.equal(await page.locator("#spot-draws tbody tr").count(), 2);
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, "22-spot-checks-district", { fullPage: true });
  });
});
