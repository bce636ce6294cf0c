// The test harness: the real server binary on a free loopback port with
// the demo data and its own SQLite folder, accounts made with its CLI, a
// real HTTP client for the API, and Debian's Chromium driven by
// playwright-core. Screenshots go to artifacts/console/.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = process.env.LAWCIRCLE_CONSOLE_ARTIFACTS || join(ROOT, "artifacts", "console");
export const CHROMIUM = process.env.LAWCIRCLE_CHROMIUM || "/usr/bin/chromium";
export const PASSWORD = "console-test-password";

/** The server binary: $LAWCIRCLE_SERVER_BIN, else cargo's debug build. */
export function serverBinary() {
  const candidates = [
    process.env.LAWCIRCLE_SERVER_BIN,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, "debug", "lawcircle-server"),
    join(ROOT, "target", "debug", "lawcircle-server"),
  ].filter(Boolean);
  const bin = candidates.find((p) => existsSync(p));
  if (!bin) throw new Error(`no server binary in ${candidates.join(", ")}: run cargo build -p lawcircle-server`);
  return bin;
}

/**
 * A synthetic street grid over the demo district as a `.lcwn` file, made by
 * the `grid-network` test binary built next to the server (not real
 * streets: it gives the map an isochrone and coverage colours).
 */
export function gridNetwork(dir) {
  const tool = join(dirname(serverBinary()), "grid-network");
  if (!existsSync(tool)) throw new Error(`${tool} is missing: run cargo build -p lawcircle-e2e --bin grid-network`);
  const out = join(dir, "grid.lcwn");
  const r = spawnSync(tool, ["--out", out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`grid-network: ${r.stderr}`);
  return out;
}

/**
 * Starts `lawcircle-server serve --demo` (with a synthetic walking network
 * unless `network: false`) and waits for its address. The demo catalogue
 * only, unless `demoPeople: true` (then also the demo accounts and their
 * activity, whose credentials are in `banner`, what the server printed
 * before its address).
 */
export async function startServer({ network = true, tileUrl, demoPeople = false } = {}) {
  const bin = serverBinary();
  const dir = mkdtempSync(join(tmpdir(), "lawcircle-console-"));
  // The background job (warnings) runs every half second, not every 5 s.
  const args = ["serve", "--demo", "--bind", "127.0.0.1:0", "--data-dir", dir, "--jobs-interval-ms", "500"];
  if (network) args.push("--walking-network", gridNetwork(dir));
  if (tileUrl) args.push("--console-tile-url", tileUrl, "--console-tile-attribution", "测试底图 test tiles");
  const child = spawn(bin, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "warn", LAWCIRCLE_DEMO_PEOPLE: demoPeople ? "true" : "false" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  let banner = "";
  const url = await new Promise((resolveUrl, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/LawCircle listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); banner = out.slice(0, m.index); resolveUrl(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}): ${stderr}`)); });
  });
  return {
    url, dir, bin, child, banner,
    stderr: () => stderr,
    async stop() {
      child.removeAllListeners("exit");
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates an account with the server's CLI (`create-account`). */
export function createAccount(server, username, role, displayName, streetCode) {
  const args = ["create-account", "--data-dir", server.dir, "--username", username, "--role", role, "--display-name", displayName];
  if (streetCode) args.push("--street-code", streetCode);
  const r = spawnSync(server.bin, args, { env: { ...process.env, LAWCIRCLE_PASSWORD: PASSWORD }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`create-account ${username}: ${r.stderr}`);
}

/** A small API client (what a phone or a script would do). */
export async function apiCall(server, method, path, { token, body, raw, contentType, extraHeaders = {} } = {}) {
  const headers = { ...extraHeaders };
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (raw !== undefined) { payload = raw; headers["content-type"] = contentType; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers["content-type"] = "application/json"; }
  const res = await fetch(server.url + path, { method, headers, body: payload });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: res.status, body: json, headers: res.headers };
}

export async function login(server, username) {
  const r = await apiCall(server, "POST", "/api/v1/auth/login", { body: { username, password: PASSWORD } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/** Debian's Chromium, headless, with a fresh profile (playwright makes a
 * temporary --user-data-dir for every launch and removes it after). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
    ],
  });
}

/**
 * A new page that fails the test on any console error, page error or
 * request to another origin (the console must work offline).
 */
export async function newPage(browser, server, { locale = "zh-CN", allowOrigins = [] } = {}) {
  const context = await browser.newContext({ locale, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(server.url).origin;
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // 4xx answers the console handles show up as resource errors; they are
    // checked by the tests themselves.
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith("data:") && !allowOrigins.some((o) => u.startsWith(o))) {
      problems.push(`third-party request: ${u}`);
    }
  });
  page.problems = problems;
  return { context, page };
}

/**
 * Runs `fn` on a new page (see newPage), then fails the test if the page
 * had a script error or made a third-party request; the page is closed
 * either way.
 */
export async function onCleanPage(browser, server, fn, opts = {}) {
  const { context, page } = await newPage(browser, server, opts);
  try {
    await fn(page);
    assert.deepEqual(page.problems, [], "no script errors and no third-party requests");
  } finally {
    await context.close();
  }
}

export async function screenshot(page, name, { fullPage = false } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

/** Signs in through the form. */
export async function signIn(page, server, username) {
  await page.goto(`${server.url}/console/`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/^(密码|Password)$/).fill(PASSWORD);
  await page.getByRole("button", { name: /^(登录|Sign in)$/ }).click();
  await page.locator("header.top").waitFor();
}

/** Every form control on the page has an accessible name. */
export async function unlabelledControls(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea, button")]
      .filter((el) => el.offsetParent !== null || el.closest("dialog[open]"))
      .filter((el) => {
        const named = (el.labels && el.labels.length > 0) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
        const text = el.tagName === "BUTTON" && el.textContent.trim();
        return !named && !text;
      })
      .map((el) => el.outerHTML.slice(0, 120)));
}

/** A test tool built next to the server (tests/src/bin). */
export function tool(name) {
  const path = join(dirname(serverBinary()), name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run cargo build -p lawcircle-e2e --bins`);
  return path;
}

/** Puts an open service order into the server's database (seed-order). */
export function seedOrder(server, needId, street, { overdue = false } = {}) {
  const args = ["--data-dir", server.dir, "--need-id", String(needId), "--street", street, "--category", "mediation"];
  if (overdue) args.push("--overdue");
  const r = spawnSync(tool("seed-order"), args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`seed-order: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * The phone side: the Rust `phone-client` signs in as `username` and
 * listens to the event stream. Resolves `ready` once it listens;
 * `received` with the id of the first order assigned to it.
 */
export function phoneClient(server, username) {
  const child = spawn(tool("phone-client"), ["--url", server.url, "--username", username, "--password", PASSWORD, "--timeout-secs", "60"],
    { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stderr.on("data", (d) => { err += d; });
  let onReady, onReceived, onFail;
  const ready = new Promise((r, j) => { onReady = r; onFail = j; });
  const received = new Promise((r, j) => {
    onReceived = r;
    child.on("exit", (code) => {
      if (code !== 0) { const e = new Error(`phone-client exited ${code}: ${err}`); onFail(e); j(e); }
    });
  });
  // Rejections are awaited by the test; keep Node from reporting them early.
  ready.catch(() => {});
  received.catch(() => {});
  child.stdout.on("data", (d) => {
    out += d;
    if (out.includes("LISTENING")) onReady();
    const m = out.match(/RECEIVED (\S+)/);
    if (m) onReceived(m[1]);
  });
  return { ready, received, kill: () => child.kill() };
}
