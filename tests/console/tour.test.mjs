// The README's tour, followed once as a new user would: `serve --demo`
// (the whole demo: accounts and a few days of activity), the admin account
// read from what the server printed, sign in through the form, every
// section opened and showing the demo's data, no errors in the page's
// console. Screenshots go to artifacts/console/tour-*.png (the README's
// images in docs/images/ are copies of them).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, screenshot } from "./harness.mjs";

let server, browser;

/** username → { role, password } from the printed credentials block. */
function credentials(banner) {
  const lines = banner.split("\n");
  const start = lines.findIndex((l) => l.startsWith("== LawCircle demo accounts"));
  assert.ok(start >= 0, `no credentials block in ${banner}`);
  const out = {};
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("== end of demo accounts")) break;
    const [role, username, password] = line.trim().split(/\s+/);
    if (username?.startsWith("demo-")) out[username] = { role, password };
  }
  return out;
}

before(async () => {
  // As the README's first command: no walking network.
  server = await startServer({ demoPeople: true, network: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signInAs(page, username, password) {
  await page.goto(`${server.url}/console/`);
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel(/^密码$/).fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.locator("header.top").waitFor();
}

// Each section of the tour, and what shows it holds the demo's data.
const TOUR = [
  ["资源地图", "map", async (page) => { await page.locator("#district-map").waitFor(); await page.locator("#facility-list li").first().waitFor(); }],
  ["工单调度", "orders", async (page) => {
    await page.locator('#live-status[data-connected="true"]').waitFor();
    await page.locator("#orders tbody tr").nth(5).waitFor();
    // Every state has its name (no untranslated key).
    assert.doesNotMatch(await page.locator("#orders").textContent(), /orderState\./);
  }],
  ["异常预警", "warnings", async (page) => { await page.locator("#warnings tbody tr").first().waitFor(); }],
  ["指标晾晒", "indicators", async (page) => {
    await page.locator("#street-indicators tbody tr").first().waitFor();
    await page.locator("#service-indicators tbody tr").first().waitFor();
  }],
  ["志愿者库", "volunteers", async (page) => {
    await page.locator("#pool", { hasText: "王芳" }).waitFor();
    await page.locator("#applications", { hasText: "林晓" }).waitFor();
    await page.locator("#punches tbody tr").first().waitFor();
  }],
  ["设施管理", "facilities", async (page) => { await page.locator("main table tbody tr").first().waitFor(); }],
  ["服务事项", "services", async (page) => { await page.locator('#services tr[data-code="mediation"]').waitFor(); }],
  ["账号", "accounts", async (page) => { await page.locator("#accounts tbody tr", { hasText: "demo-resident" }).waitFor(); }],
];

test("the README tour: sign in with the printed admin account and open every section", async () => {
  const accounts = credentials(server.banner);
  assert.equal(accounts["demo-admin"]?.role, "district_admin", server.banner);
  const { context, page } = await newPage(browser, server);
  try {
    await signInAs(page, "demo-admin", accounts["demo-admin"].password);
    for (const [name, id, shows] of TOUR) {
      await page.getByRole("link", { name, exact: true }).click();
      await page.waitForFunction((n) => document.querySelector("main h2")?.textContent.startsWith(n), name);
      await shows(page);
      await screenshot(page, `tour-${id}`);
    }
    assert.deepEqual(page.problems, [], "no errors in the page's console, no third-party requests");
  } finally {
    await context.close();
  }
});

test("the tour as the station: the street's board and its warnings", async () => {
  const accounts = credentials(server.banner);
  const { context, page } = await newPage(browser, server);
  try {
    await signInAs(page, "demo-staff", accounts["demo-staff"].password);
    await page.getByRole("link", { name: "工单调度", exact: true }).click();
    await page.locator("#orders tbody tr").nth(5).waitFor();
    await page.getByRole("link", { name: "异常预警", exact: true }).click();
    await page.locator("#warnings tbody tr").first().waitFor();
    await screenshot(page, "tour-staff-warnings");
    assert.deepEqual(page.problems, [], "no errors in the page's console");
  } finally {
    await context.close();
  }
});
