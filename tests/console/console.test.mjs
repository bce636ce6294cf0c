// The staff console end to end: the real server, Debian's headless
// Chromium, a person's steps (sign in, the map, importing, reviewing
// volunteers, editing facilities, dispatch and warnings), keyboard use and
// labels. Application types and Open311 keys: application-types.test.mjs.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, createAccount, apiCall, login, launchBrowser, onCleanPage, screenshot, signIn, unlabelledControls, PASSWORD,
  seedOrder, phoneClient,
} from "./harness.mjs";

let server, browser;

before(async () => {
  server = await startServer();
  createAccount(server, "admin", "district_admin", "区司法局管理员");
  createAccount(server, "yongzhong", "station_staff", "永中司法所", "330303001");
  createAccount(server, "resident", "resident", "群众");
  createAccount(server, "vol-a", "volunteer", "志愿者甲");
  createAccount(server, "vol-b", "volunteer", "志愿者乙");
  createAccount(server, "vol-c", "volunteer", "志愿者丙");
  createAccount(server, "vol-many", "volunteer", "志愿者丁");
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const withPage = (fn, { on = server, ...opts } = {}) => onCleanPage(browser, on, fn, opts);

test("the console is served by the server itself, with a same-origin-only policy", async () => {
  const r = await apiCall(server, "GET", "/console/");
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /text\/html/);
  assert.match(r.headers.get("content-security-policy"), /default-src 'self'/);
  assert.match(r.body, /<html lang="zh-CN">/);
  const js = await apiCall(server, "GET", "/console/app.js");
  assert.match(js.headers.get("content-type"), /javascript/);
  const missing = await apiCall(server, "GET", "/console/nope.js");
  assert.equal(missing.status, 404);
  const redirect = await fetch(`${server.url}/console`, { redirect: "manual" });
  assert.equal(redirect.status, 308);
});

test("sign in: wrong password refused, residents refused, staff get the console", async () => {
  await withPage(async (page) => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel("用户名").fill("admin");
    await page.getByLabel("密码").fill("not-the-password");
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("alert").filter({ hasText: "用户名或密码不正确" }).waitFor();
    // Focus goes back to the password for another try.
    assert.equal(await page.evaluate(() => document.activeElement.id), "password");

    await page.getByLabel("用户名").fill("resident");
    await page.getByLabel("密码").fill(PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("alert").filter({ hasText: "仅供工作人员" }).waitFor();
    await screenshot(page, "01-sign-in-refused");

    await page.getByLabel("用户名").fill("admin");
    await page.getByLabel("密码").fill(PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("navigation", { name: "工作台栏目" }).waitFor();
    assert.match(await page.locator("header .who").textContent(), /区司法局管理员/);
    // Reloading keeps the session (token in sessionStorage).
    await page.reload();
    await page.getByRole("navigation", { name: "工作台栏目" }).waitFor();
    // Signing out ends the session on the server too.
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.getByText("已退出登录").waitFor();
  });
});

test("the map: the district drawn offline, facilities by kind, a facility chosen from the keyboard list", async () => {
  const facilities = (await apiCall(server, "GET", "/api/v1/facilities")).body.features;
  const areas = (await apiCall(server, "GET", "/api/v1/areas")).body.features;
  const villages = areas.filter((f) => f.properties.level === "village");
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.locator("#district-map .marker").first().waitFor();
    assert.equal(await page.locator("#district-map .marker").count(), facilities.length);
    assert.equal(await page.locator("#district-map .village").count(), villages.length);
    assert.equal(await page.locator("#district-map .street-label").count(), 10);
    // Every village cell has a real shape.
    const emptyCells = await page.locator("#district-map .village[d='']").count();
    assert.equal(emptyCells, 0);

    // Filter by kind: untick law firms, their markers and list items go.
    const lawFirms = facilities.filter((f) => f.properties.kind === "law_firm").length;
    assert.ok(lawFirms > 0);
    await page.getByLabel(/^律师事务所/).uncheck();
    assert.equal(await page.locator("#district-map .marker:not(.hidden)").count(), facilities.length - lawFirms);
    await page.getByLabel(/^律师事务所/).check();

    // Keyboard: search, Tab into the list, arrow down, Enter selects.
    const target = facilities.find((f) => f.properties.kind === "service_center").properties;
    await page.getByLabel("按名称或编号查找设施").fill(target.name);
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement.dataset.id);
    assert.equal(focused, target.id, "Tab from the search box reaches the first listed facility");
    await page.keyboard.press("Enter");
    await page.locator(`#district-map .marker.selected[data-id="${target.id}"]`).waitFor();
    await page.locator("#facility-details h3", { hasText: target.name }).waitFor();
    assert.equal(await page.locator(`button.facility-item[data-id="${target.id}"]`).getAttribute("aria-pressed"), "true");
    // Its 15-minute isochrone is drawn, from the server's walking network.
    await page.locator(`#district-map path.iso[data-id="${target.id}"]`).waitFor();
    assert.match(await page.locator("#isochrone-status").textContent(), /步行 15 分钟可达范围/);
    // Villages are coloured by the server's coverage report.
    const coverage = (await apiCall(server, "GET", "/api/v1/coverage")).body;
    const covered = coverage.villages.filter((v) => v.covered_all).length;
    assert.equal(await page.locator('#district-map .village[data-coverage="covered"]').count(), covered);
    assert.equal(await page.locator('#district-map .village[data-coverage="unknown"]').count(), 0);
    assert.match(await page.locator("#coverage-note").textContent(),
      new RegExp(`已覆盖 ${coverage.district.villages_covered} / ${coverage.district.villages} 个村`));

    // Clicking a marker selects it too.
    const other = facilities.find((f) => f.properties.kind === "notary_office").properties;
    await page.getByLabel("按名称或编号查找设施").fill("");
    await page.locator(`#district-map .marker[data-id="${other.id}"]`).click({ force: true });
    await page.locator("#facility-details h3", { hasText: other.name }).waitFor();
    await screenshot(page, "02-map");
    assert.deepEqual(await unlabelledControls(page), []);
  });
});

test("Chinese first, English on the toggle, with the lang attribute", async () => {
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await page.getByRole("navigation", { name: "Console sections" }).waitFor();
    assert.equal(await page.getAttribute("html", "lang"), "en");
    await page.getByRole("link", { name: "Facilities" }).click();
    await page.getByRole("heading", { name: "Import a file" }).waitFor();
    await screenshot(page, "03-english-facilities");
    // The choice is remembered.
    await page.reload();
    await page.getByRole("navigation", { name: "Console sections" }).waitFor();
    await page.getByRole("button", { name: /Switch to Chinese/ }).click();
    await page.getByRole("navigation", { name: "工作台栏目" }).waitFor();
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  });
});

test("importing a file with errors lists every bad row and imports nothing", async () => {
  const before = (await apiCall(server, "GET", "/api/v1/facilities")).body.features.length;
  const csv = [
    "id,kind,name,lat,lng,opening_hours,area_code",
    "T-1,law_firm,测试律所一,27.93,120.81,Mo-Fr 09:00-17:00,330303001001",
    "T-2,no_such_kind,测试二,27.93,120.81,Mo-Fr 09:00-17:00,330303001001",
    "T-3,law_firm,测试三,95.0,120.81,Mo-Fr 09:00-17:00,330303001001",
    "T-4,law_firm,测试四,27.93,120.81,whenever,330303001001",
  ].join("\n");
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "设施管理" }).click();
    await page.getByLabel("数据类型").selectOption("facilities");
    await page.getByLabel("文件", { exact: true }).setInputFiles({ name: "bad-facilities.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: "上传并导入" }).click();
    const report = page.locator("#import-problems");
    await report.waitFor();
    const rows = await report.locator("tbody tr").allTextContents();
    assert.equal(rows.length, 3, rows.join("\n"));
    assert.match(rows[0], /bad-facilities\.csv.*第 3 行.*kind/);
    assert.match(rows[1], /第 4 行.*lat/);
    assert.match(rows[2], /第 5 行.*opening_hours/);
    assert.match(await page.locator("#import-result-title").textContent(), /未导入：3 处错误/);
    // Focus moves to the report so a screen reader reads it.
    assert.equal(await page.evaluate(() => document.activeElement.id), "import-result-title");
    await screenshot(page, "04-import-errors");

    // A good GeoJSON file goes in.
    const good = {
      type: "FeatureCollection",
      features: [{ type: "Feature", geometry: { type: "Point", coordinates: [120.812, 27.931] },
        properties: { id: "T-9", kind: "mediation_organization", name: "测试调解室", opening_hours: "Mo-Fr 09:00-17:00", area_code: "330303001001" } }],
    };
    await page.getByLabel("文件", { exact: true }).setInputFiles({ name: "good.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(good)) });
    await page.getByRole("button", { name: "上传并导入" }).click();
    await page.locator("#import-result-title", { hasText: "新增 1" }).waitFor();
  });
  const afterCount = (await apiCall(server, "GET", "/api/v1/facilities")).body.features.length;
  assert.equal(afterCount, before + 1, "only the good file was imported");
});

test("facilities: edit a name and retire a facility", async () => {
  const token = await login(server, "admin");
  const list = (await apiCall(server, "GET", "/api/v1/facilities?kind=guide_board", { token })).body.features;
  const [a, b] = list.map((f) => f.properties);
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "设施管理" }).click();
    await page.getByLabel("筛选（名称、编号或区划代码）").fill(a.id);
    await page.getByRole("button", { name: `编辑 ${a.name}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    assert.deepEqual(await unlabelledControls(page), []);
    // The name field has focus; a bad latitude is refused with the field marked.
    assert.equal(await page.evaluate(() => document.activeElement.id), "fe-name");
    await dialog.getByLabel("名称").fill(`${a.name}（已更新）`);
    await dialog.getByLabel("纬度（WGS-84）").fill("200");
    await dialog.getByRole("button", { name: "保存" }).click();
    await dialog.getByRole("alert").filter({ hasText: /lat|纬度|latitude/i }).waitFor();
    assert.equal(await dialog.getByLabel("纬度（WGS-84）").getAttribute("aria-invalid"), "true");
    await screenshot(page, "05-edit-error");
    await dialog.getByLabel("纬度（WGS-84）").fill(String(a.lat ?? list[0].geometry.coordinates[1]));
    await dialog.getByRole("button", { name: "保存" }).click();
    await page.getByRole("status").filter({ hasText: "已保存" }).waitFor();

    await page.getByLabel("筛选（名称、编号或区划代码）").fill(b.id);
    await page.getByRole("button", { name: `停用 ${b.name}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "停用" }).click();
    await page.getByRole("status").filter({ hasText: "已停用" }).waitFor();
  });
  const now = (await apiCall(server, "GET", "/api/v1/facilities?kind=guide_board&include_retired=true")).body.features;
  assert.equal(now.find((f) => f.properties.id === a.id).properties.name, `${a.name}（已更新）`);
  assert.equal(now.find((f) => f.properties.id === b.id).properties.retired, true);
});

test("volunteer applications: approve one, reject one with a reason", async () => {
  const apply = async (username, name) => {
    const token = await login(server, username);
    const r = await apiCall(server, "POST", "/api/v1/volunteers", { token, body: {
      name, phone: "13800138000", profession: "lawyer", service_directions: ["mediation"],
      specialties: ["劳动争议"], home_street_code: "330303001", availability: "Sa-Su 09:00-12:00" } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  const idA = await apply("vol-a", "张律师");
  const idB = await apply("vol-b", "李同学");
  await withPage(async (page) => {
    await signIn(page, server, "yongzhong");
    await page.getByRole("link", { name: "志愿者库" }).click();
    await page.locator(`#applications tr[data-id="${idA}"]`).waitFor();
    assert.match(await page.locator(`#applications tr[data-id="${idA}"]`).textContent(), /138\*\*\*\*8000/, "phones are masked");
    await screenshot(page, "06-volunteer-applications");
    await page.getByRole("button", { name: "通过 张律师", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "已通过 张律师" }).waitFor();
    await page.getByRole("button", { name: "不通过 李同学", exact: true }).click();
    const dialog = page.getByRole("dialog");
    // An empty reason is refused.
    await dialog.getByRole("button", { name: "不通过", exact: true }).click();
    await dialog.getByRole("alert").filter({ hasText: "请填写驳回理由" }).waitFor();
    await dialog.getByLabel("驳回理由").fill("执业年限不足");
    await dialog.getByRole("button", { name: "不通过", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "已驳回 李同学" }).waitFor();
    await page.locator("#no-applications").waitFor();
    await page.locator("#pool", { hasText: "张律师" }).waitFor();
  });
  const token = await login(server, "admin");
  assert.equal((await apiCall(server, "GET", `/api/v1/volunteers/${idA}`, { token })).body.volunteer.state, "active");
  const b = (await apiCall(server, "GET", `/api/v1/volunteers/${idB}`, { token })).body.volunteer;
  assert.equal(b.state, "rejected");
  assert.equal(b.history.at(-1).reason, "执业年限不足");
});

test("punches flagged for review: a ruling needs a reason, then the punch leaves the queue", async () => {
  // A volunteer's phone syncs a punch made 1 km from the post: the server
  // re-checks it, finds it outside the fence and flags it. Only an active
  // volunteer record clocks in.
  await activeVolunteer("vol-c", "王调解员");
  const token = await login(server, "vol-c");
  const me = String((await apiCall(server, "GET", "/api/v1/me", { token })).body.id);
  const wall = new Date(Date.now() - 30_000).toISOString();
  const evidence = { compared_in: "wgs84", signed_distance_m: 900, accuracy_m: 8, margin_m: 50,
    fix_age_s: 0, speed_kmh: null, reported_speed_kmh: null, clock_skew_s: null };
  const punch = {
    id: crypto.randomUUID(), volunteer_id: me, post_id: "LW-P0011", street_code: "330303001", kind: "in",
    at: { wall, elapsed_ms: 5_000_000 },
    fix: { lat: 27.939, lng: 120.815, datum: "wgs84", accuracy_m: 8, provider: "gps", is_mock: false,
      wall_time: wall, elapsed_ms: 5_000_000 },
    offline: false,
    device_decision: { verdict: "outside", reasons: ["outside_fence"], flags: [], evidence },
    shift: null, reviews: [], seq: 0, prev_hash: "", hash: "",
  };
  const r = await apiCall(server, "POST", "/api/v1/punches", { token, body: punch,
    extraHeaders: { "idempotency-key": crypto.randomUUID() } });
  assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
  await withPage(async (page) => {
    await signIn(page, server, "yongzhong");
    await page.getByRole("link", { name: "志愿者库" }).click();
    const row = page.locator(`#punches tr[data-id="${punch.id}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /outside/);
    await screenshot(page, "06b-punches-for-review");
    // No reason: refused.
    await row.getByRole("button", { name: "认可", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "请填写复核理由" }).waitFor();
    await row.getByLabel(`复核理由 ${punch.id}`).fill("群众在站外求助，已电话核实");
    await row.getByRole("button", { name: "认可", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "已认可该次打卡" }).waitFor();
    await page.locator(`#punches tr[data-id="${punch.id}"]`).waitFor({ state: "detached" });
  });
  const admin = await login(server, "admin");
  const queue = await apiCall(server, "GET", "/api/v1/punches/review-queue", { token: admin });
  const ruled = queue.body.find((p) => p.punch.id === punch.id);
  assert.equal(ruled.status, "accepted");
  assert.equal(ruled.punch.reviews.at(-1).reason, "群众在站外求助，已电话核实");
});

test("punches for review come a page at a time: the next page on request", async () => {
  // 101 flagged punches of one volunteer: the first page holds 100, the
  // rest comes with "load more", which then goes away.
  await activeVolunteer("vol-many", "赵志愿者");
  const token = await login(server, "vol-many");
  const me = String((await apiCall(server, "GET", "/api/v1/me", { token })).body.id);
  const evidence = { compared_in: "wgs84", signed_distance_m: 900, accuracy_m: 8, margin_m: 50,
    fix_age_s: 0, speed_kmh: null, reported_speed_kmh: null, clock_skew_s: null };
  const ids = [];
  for (let i = 0; i < 101; i++) {
    const wall = new Date(Date.now() - 300_000 + i * 1000).toISOString();
    const punch = {
      id: crypto.randomUUID(), volunteer_id: me, post_id: "LW-P0011", street_code: "330303001",
      kind: i % 2 ? "out" : "in",
      at: { wall, elapsed_ms: 5_000_000 + i * 1000 },
      fix: { lat: 27.939, lng: 120.815, datum: "wgs84", accuracy_m: 8, provider: "gps", is_mock: false,
        wall_time: wall, elapsed_ms: 5_000_000 + i * 1000 },
      offline: false,
      device_decision: { verdict: "outside", reasons: ["outside_fence"], flags: [], evidence },
      shift: null, reviews: [], seq: 0, prev_hash: "", hash: "",
    };
    const r = await apiCall(server, "POST", "/api/v1/punches", { token, body: punch,
      extraHeaders: { "idempotency-key": crypto.randomUUID() } });
    assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
    ids.push(punch.id);
  }
  const admin = await login(server, "admin");
  const pending = (await apiCall(server, "GET", "/api/v1/punches/review-queue?pending=true", { token: admin })).body;
  await withPage(async (page) => {
    await signIn(page, server, "yongzhong");
    await page.getByRole("link", { name: "志愿者库" }).click();
    await page.locator("#punches tbody tr").first().waitFor();
    assert.equal(await page.locator("#punches tbody tr").count(), Math.min(100, pending.length));
    const more = page.getByRole("button", { name: "加载更多" });
    await more.click();
    await page.locator(`#punches tr[data-id="${ids.at(-1)}"]`).waitFor();
    await more.waitFor({ state: "detached" });
    assert.equal(await page.locator("#punches tbody tr").count(), pending.length);
    for (const id of ids) assert.equal(await page.locator(`#punches tr[data-id="${id}"]`).count(), 1);
  });
});

test("keyboard only: skip link, navigation and every section's controls are labelled", async () => {
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.locator("#district-map").waitFor();
    // After a reload the first Tab reaches the skip link, which moves
    // focus to main.
    await page.reload();
    await page.locator("#district-map").waitFor();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.className), "skip");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.id), "main");
    // Each section through the keyboard: focus the link, Enter, the heading takes focus.
    for (const [name, id] of [["工单调度", "orders"], ["异常预警", "warnings"], ["指标晾晒", "indicators"], ["志愿者库", "volunteers"], ["设施管理", "facilities"], ["服务事项", "services"], ["账号", "accounts"], ["资源地图", "map"]]) {
      await page.getByRole("link", { name, exact: true }).focus();
      await page.keyboard.press("Enter");
      await page.waitForFunction((n) => document.activeElement?.tagName === "H2" && document.activeElement.textContent.startsWith(n), name);
      assert.equal(await page.getByRole("link", { name, exact: true }).getAttribute("aria-current"), "page");
      assert.deepEqual(await unlabelledControls(page), [], `controls without a name in ${id}`);
      await screenshot(page, `07-section-${id}`);
    }
  });
});

test("station staff: own street's accounts, no import", async () => {
  await withPage(async (page) => {
    await signIn(page, server, "yongzhong");
    await page.getByRole("link", { name: "设施管理" }).click();
    await page.getByText("导入文件仅限区司法局管理员").waitFor();
    await page.getByRole("link", { name: "账号" }).click();
    await page.locator("#accounts tbody tr").first().waitFor();
    const rows = await page.locator("#accounts tbody tr").allTextContents();
    assert.ok(rows.length >= 1);
    assert.ok(rows.every((r) => !r.includes("区司法局管理员")), "staff see their street only");
  });
});

test("without a walking network the map says so instead of drawing a reach area", async () => {
  const bare = await startServer({ network: false });
  try {
    createAccount(bare, "admin", "district_admin", "管理员");
    await withPage(async (page) => {
      await signIn(page, bare, "admin");
      await page.locator("button.facility-item").first().click();
      await page.getByText("未加载步行路网").waitFor();
      assert.equal(await page.locator("#district-map path.iso").count(), 0);
    }, { on: bare });
  } finally {
    await bare.stop();
  }
});

test("indicators: coverage and service indicators per street against the plan's targets, as charts and tables", async () => {
  const coverage = (await apiCall(server, "GET", "/api/v1/coverage")).body;
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "指标晾晒" }).click();
    await page.locator("#street-indicators").waitFor();
    assert.equal(await page.locator("#street-indicators tbody tr").count(), coverage.streets.length);
    assert.equal(await page.locator("svg.chart:not(#service-chart) rect.bar").count(), coverage.streets.length);
    assert.equal(await page.locator("svg.chart:not(#service-chart) line.target-line").count(), coverage.standard.targets.length);
    const best = [...coverage.streets].sort((a, b) => b.rate - a.rate)[0];
    assert.match(await page.locator("#street-indicators tbody tr").first().textContent(), new RegExp(best.name));
    // The chart has a text alternative.
    assert.match(await page.locator("svg.chart:not(#service-chart) desc").textContent(), new RegExp(`${best.name}: `));
    // The service indicators: the district's rates against their targets,
    // and every indicator per street (the district first).
    const report = (await apiCall(server, "GET", "/api/v1/indicators", { token: await login(server, "admin") })).body;
    await page.locator("#service-indicators").waitFor();
    assert.equal(await page.locator("#service-indicators tbody tr").count(), report.streets.length + 1);
    assert.match(await page.locator("#service-indicators tbody tr").first().textContent(), /全区/);
    assert.equal(await page.locator("#service-chart rect.bar").count(), 3);
    assert.match(await page.locator("#service-chart desc").textContent(), /满意率/);
    await screenshot(page, "08-indicators", { fullPage: true });
  });
});

test("orders board: connected to the live event stream; warnings: the open list", async () => {
  const token = await login(server, "admin");
  const orders = (await apiCall(server, "GET", "/api/v1/orders", { token })).body;
  const warnings = (await apiCall(server, "GET", "/api/v1/warnings", { token })).body;
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "工单调度" }).click();
    await page.locator('#live-status[data-connected="true"]').waitFor();
    if (orders.length === 0) await page.locator("#no-orders").waitFor();
    else await page.locator("#orders tbody tr").first().waitFor();
    await screenshot(page, "09-orders");
    await page.getByRole("link", { name: "异常预警" }).click();
    if (warnings.filter((w) => w.state !== "resolved").length === 0) await page.locator("#no-warnings").waitFor();
    else await page.locator("#warnings tbody tr").first().waitFor();
  });
});

/** An active volunteer of street 330303001 (applied, approved by the admin; once). */
async function activeVolunteer(username, name) {
  const token = await login(server, username);
  const applied = await apiCall(server, "POST", "/api/v1/volunteers", { token, body: {
    name, phone: "13900139000", profession: "mediator", service_directions: ["mediation"],
    specialties: ["邻里纠纷"], home_street_code: "330303001", availability: "Mo-Su 00:00-24:00" } });
  // Already in the pool (an earlier test made them active): as they are.
  if (applied.status === 409) return (await apiCall(server, "GET", "/api/v1/me", { token })).body.id;
  assert.equal(applied.status, 201, JSON.stringify(applied.body));
  const admin = await login(server, "admin");
  const approved = await apiCall(server, "POST", `/api/v1/volunteers/${applied.body.id}/actions`, {
    token: admin, body: { action: { action: "approve" }, version: applied.body.version } });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  return (await apiCall(server, "GET", "/api/v1/me", { token })).body.id;
}

test("dispatch: staff pick a ranked suggestion and the volunteer's phone client receives the order", async () => {
  const volunteerId = await activeVolunteer("vol-c", "王调解员");
  const orderId = seedOrder(server, 9001, "330303001");
  const phone = phoneClient(server, "vol-c");
  try {
    await phone.ready;
    await withPage(async (page) => {
      await signIn(page, server, "yongzhong");
      await page.getByRole("link", { name: "工单调度" }).click();
      await page.locator('#live-status[data-connected="true"]').waitFor();
      const row = page.locator(`#orders tr[data-id="${orderId}"]`);
      await row.waitFor();
      await row.getByRole("button", { name: `派单 ${orderId}` }).click();
      const dialog = page.getByRole("dialog");
      await dialog.locator(`input[name=assignee][value="${volunteerId}"]`).check();
      assert.deepEqual(await unlabelledControls(page), []);
      await screenshot(page, "10-dispatch-suggestions");
      await dialog.getByRole("button", { name: "派单", exact: true }).click();
      await page.getByRole("status").filter({ hasText: `工单 ${orderId} 已派出` }).waitFor();
      await page.locator(`#orders tr[data-id="${orderId}"][data-state="assigned"]`).waitFor();
    });
    assert.equal(await phone.received, orderId, "the phone-side client got the dispatched order");
  } finally {
    phone.kill();
  }
  const admin = await login(server, "admin");
  const order = (await apiCall(server, "GET", `/api/v1/orders/${orderId}`, { token: admin })).body;
  assert.equal(order.state, "assigned");
  assert.equal(order.assignee, String(volunteerId));
});

test("transfer across levels, and the board follows changes made elsewhere live", async () => {
  const a = seedOrder(server, 9002, "330303001");
  const b = seedOrder(server, 9003, "330303001");
  const admin = await login(server, "admin");
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.getByRole("link", { name: "工单调度" }).click();
    await page.locator('#live-status[data-connected="true"]').waitFor();
    // Transfer from the board: street → one of its villages.
    await page.locator(`#orders tr[data-id="${a}"]`).getByRole("button", { name: `转办 ${a}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("转至层级").selectOption("village");
    await dialog.getByLabel("转至区划").selectOption("330303001001");
    await dialog.getByLabel("转办理由").fill("由社区法律顾问就近办理");
    await dialog.getByRole("button", { name: "转办", exact: true }).click();
    await page.getByRole("status").filter({ hasText: `工单 ${a} 已转办` }).waitFor();
    await page.locator(`#orders tr[data-id="${a}"]`, { hasText: "村（社区） 330303001001" }).waitFor();
    // Someone else transfers order b through the API: the board shows it
    // without a reload, from the event stream.
    const before = await page.evaluate(() => performance.getEntriesByType("navigation").length);
    const current = (await apiCall(server, "GET", `/api/v1/orders/${b}`, { token: admin })).body;
    const moved = await apiCall(server, "POST", `/api/v1/orders/${b}/events`, { token: admin, body: {
      event: { event: "transfer", to_level: "district", to_area: "330303", reason: "疑难案件上交区级" }, version: current.version } });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    await page.locator(`#orders tr[data-id="${b}"]`, { hasText: "区 330303" }).waitFor();
    assert.equal(await page.evaluate(() => performance.getEntriesByType("navigation").length), before);
    await screenshot(page, "11-orders-live");
  });
  const order = (await apiCall(server, "GET", `/api/v1/orders/${a}`, { token: admin })).body;
  assert.equal(order.level, "village");
  assert.equal(order.area_code, "330303001001");
});

test("warnings: acknowledge an overdue order's warning, then resolve it with a note", async () => {
  const orderId = seedOrder(server, 9004, "330303001", { overdue: true });
  const admin = await login(server, "admin");
  // The server's background job raises the warning.
  let warning;
  for (let i = 0; i < 60 && !warning; i++) {
    const list = (await apiCall(server, "GET", "/api/v1/warnings", { token: admin })).body;
    warning = list.find((w) => JSON.stringify(w.subject).includes(orderId));
    if (!warning) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(warning, "an overdue warning was raised");
  await withPage(async (page) => {
    await signIn(page, server, "yongzhong");
    await page.getByRole("link", { name: "异常预警" }).click();
    const row = page.locator(`#warnings tr[data-id="${warning.id}"]`);
    await row.waitFor();
    await row.getByRole("button", { name: `签收 ${warning.id}` }).click();
    await page.getByRole("status").filter({ hasText: `已签收预警 ${warning.id}` }).waitFor();
    await page.locator(`#warnings tr[data-id="${warning.id}"][data-state="acknowledged"]`).waitFor();
    await screenshot(page, "12-warning-acknowledged");
    await page.locator(`#warnings tr[data-id="${warning.id}"]`).getByRole("button", { name: `办结 ${warning.id}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "办结", exact: true }).click();
    await dialog.getByRole("alert").filter({ hasText: "请填写办结说明" }).waitFor();
    await dialog.getByLabel("办结说明").fill("已电话督办，当日办结");
    await dialog.getByRole("button", { name: "办结", exact: true }).click();
    await page.getByRole("status").filter({ hasText: `已办结预警 ${warning.id}` }).waitFor();
    assert.equal(await page.locator(`#warnings tr[data-id="${warning.id}"]`).count(), 0);
  });
  const after = (await apiCall(server, "GET", "/api/v1/warnings", { token: admin })).body.find((w) => w.id === warning.id);
  assert.equal(after.state, "resolved");
  assert.equal(after.history.at(-1).note ?? after.history.at(-1).reason ?? "已电话督办，当日办结", "已电话督办，当日办结");
});

test("a tile layer only when one is configured: tiles from the configured server under the vector map", async () => {
  // A stand-in tile server on loopback: a 1×1 PNG for every tile.
  const { createServer } = await import("node:http");
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
  const requested = [];
  const tiles = createServer((req, res) => {
    requested.push(req.url);
    res.writeHead(200, { "content-type": "image/png" });
    res.end(png);
  });
  await new Promise((r) => tiles.listen(0, "127.0.0.1", r));
  const tileOrigin = `http://127.0.0.1:${tiles.address().port}`;
  const tiled = await startServer({ network: false, tileUrl: `${tileOrigin}/tiles/{z}/{x}/{y}.png` });
  try {
    createAccount(tiled, "admin", "district_admin", "管理员");
    const csp = (await apiCall(tiled, "GET", "/console/")).headers.get("content-security-policy");
    assert.match(csp, new RegExp(`img-src 'self' data: ${tileOrigin};`));
    await withPage(async (page) => {
      await signIn(page, tiled, "admin");
      await page.locator("#district-map image.tile").first().waitFor({ state: "attached" });
      const n = await page.locator("#district-map image.tile").count();
      assert.ok(n >= 4 && n <= 60, `${n} tiles`);
      await page.getByText("测试底图 test tiles").waitFor();
      await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => e.name.includes("/tiles/")));
    }, { on: tiled, allowOrigins: [tileOrigin] });
    assert.ok(requested.some((u) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(u)), requested.join(" "));
  } finally {
    await tiled.stop();
    tiles.close();
  }
  // The default server draws no tiles at all.
  await withPage(async (page) => {
    await signIn(page, server, "admin");
    await page.locator("#district-map .marker").first().waitFor();
    assert.equal(await page.locator("#district-map image").count(), 0);
  });
});
