// Starts tauri-driver (which starts WebKitWebDriver, which starts the app) and opens a
// WebdriverIO session on the real DrugChatter window. Everything is local: tauri-driver
// listens on 127.0.0.1 and the app loads nothing remote.

import { spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, "../..");
export const SHOTS = process.env.E2E_SCREENSHOTS ?? path.join(ROOT, "target", "e2e-screenshots");
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");
export const APP = process.env.DRUGCHATTER_APP ?? path.join(TARGET, "debug", "drugchatter-app");
const PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
const NATIVE_PORT = Number(process.env.TAURI_DRIVER_NATIVE_PORT ?? 4445);

/** The index is built once (minutes) and reused: keep it out of the per-run temp dir. */
export const DATA_DIR = process.env.DRUGCHATTER_DATA_DIR ?? path.join(ROOT, "target", "e2e-data");

let driver = null;
/** The environment the app of the current session runs with. */
let appEnvironment = null;
let shot = 0;
/** Screenshot file names start with this (one per test file: each runs in its own process). */
let shotPrefix = "";

/** Waits until something listens on 127.0.0.1:port (a TCP connect, no HTTP request). */
async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs / 1000} s`);
}

/** A fresh temporary folder. */
export function tempDir(name) {
  return mkdtempSync(path.join(tmpdir(), `drugchatter-e2e-${name}-`));
}

/**
 * Starts tauri-driver; the app it launches sees these folders (defaults: the shared e2e
 * data dir, the repository's models and corpus, a fresh config dir). `prefix` names this
 * session's screenshots.
 */
export async function startDriver({ dataDir = DATA_DIR, corpusDir, configDir = tempDir("config"), prefix = "", extraEnv = {} } = {}) {
  shotPrefix = prefix;
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  const env = {
    ...process.env,
    DRUGCHATTER_DATA_DIR: dataDir,
    DRUGCHATTER_MODELS_DIR: process.env.DRUGCHATTER_MODELS_DIR ?? path.join(ROOT, "models"),
    DRUGCHATTER_CORPUS_DIR: corpusDir ?? process.env.DRUGCHATTER_CORPUS_DIR ?? path.join(ROOT, "corpus"),
    DRUGCHATTER_CONFIG_DIR: configDir,
    DRUGCHATTER_LOG: process.env.DRUGCHATTER_LOG ?? "info",
    ...extraEnv,
  };
  appEnvironment = env;
  const nativeDriver = process.env.WEBKIT_WEBDRIVER ?? "/usr/bin/WebKitWebDriver";
  driver = spawn("tauri-driver", ["--port", String(PORT), "--native-port", String(NATIVE_PORT), "--native-driver", nativeDriver], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  driver.on("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM") console.error(`tauri-driver exited: ${code ?? signal}`);
  });
  await waitForPort(PORT, 30_000);
  // tauri-driver listens at once but starts WebKitWebDriver in the background, and refuses
  // a session until that one listens too (seconds on a busy machine).
  await waitForPort(NATIVE_PORT, 60_000);
}

export async function stopDriver() {
  if (driver && driver.exitCode === null) {
    const exited = new Promise((resolve) => driver.once("exit", resolve));
    driver.kill("SIGTERM");
    await exited;
  }
  driver = null;
}

/** Opens a session on the app (`application`: the program tauri-driver starts, by default the app itself). */
export async function openApp({ application = APP } = {}) {
  const browser = await remote({
    hostname: "127.0.0.1",
    port: PORT,
    logLevel: "warn",
    connectionRetryTimeout: 300_000,
    connectionRetryCount: 0,
    waitforTimeout: 30_000,
    capabilities: {
      // No browserName: tauri-driver matches on tauri:options only.
      "tauri:options": { application },
      // tauri-driver does not proxy WebDriver BiDi; use classic WebDriver.
      "wdio:enforceWebDriverClassic": true,
    },
  });
  return browser;
}

/** The environment the app of the current session runs with (its folders). */
export function appEnv() {
  return appEnvironment;
}

/**
 * Waits until no app holds the data folder: the app is single-instance per data folder, so
 * a launch while the closed one is still exiting would hand over to it and quit.
 */
async function waitForAppExit(dataDir, timeoutMs = 60_000) {
  const lock = path.join(dataDir, "app.lock");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawnSync("flock", ["-n", lock, "true"]).status === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`an app still holds ${lock} ${timeoutMs / 1000} s after its session ended`);
}

/** Ends the WebDriver session (which closes the app) and stops tauri-driver. */
export async function closeApp(browser) {
  try {
    await browser?.deleteSession();
  } catch {
    // the app may already be gone
  }
  await stopDriver();
  if (appEnvironment) await waitForAppExit(appEnvironment.DRUGCHATTER_DATA_DIR);
}

/** Upper bound for one screenshot (a few hundred ms when it works; a busy machine is slower). */
const SCREENSHOT_TIMEOUT = Number(process.env.E2E_SCREENSHOT_TIMEOUT_MS ?? 60_000);

/** `promise`, or an error saying `what` did not finish within `ms`. */
async function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * WebKitWebDriver takes a screenshot after the page's next repaint, and a page that does
 * not change never repaints under Xvfb (no compositing): the screenshot of a still view
 * (the settings form, with no caret blinking) then waited for ever. This keeps one
 * transparent pixel changing on every animation frame, which repaints the page without
 * changing what it shows, until `stopRepainting` (or two minutes at most).
 */
async function startRepainting(browser) {
  await browser.execute(() => {
    document.getElementById("e2e-repaint")?.remove();
    const dot = document.createElement("div");
    dot.id = "e2e-repaint";
    dot.setAttribute("aria-hidden", "true");
    dot.style.cssText = "position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;z-index:2147483647";
    document.documentElement.append(dot);
    const until = performance.now() + 120_000;
    let odd = false;
    const step = () => {
      if (!dot.isConnected) return;
      if (performance.now() > until) return dot.remove();
      odd = !odd;
      dot.style.backgroundColor = odd ? "rgba(255, 255, 255, 0)" : "rgba(0, 0, 0, 0)";
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
}

async function stopRepainting(browser) {
  await browser.execute(() => document.getElementById("e2e-repaint")?.remove());
}

/**
 * Saves target/e2e-screenshots/<prefix>NN-name.png; fails if WebKitWebDriver has not
 * taken it within SCREENSHOT_TIMEOUT.
 */
export async function screenshot(browser, name) {
  shot += 1;
  const file = path.join(SHOTS, `${shotPrefix}${String(shot).padStart(2, "0")}-${name}.png`);
  await startRepainting(browser);
  try {
    const png = await within(browser.takeScreenshot(), SCREENSHOT_TIMEOUT, `the screenshot ${path.basename(file)}`);
    writeFileSync(file, Buffer.from(png, "base64"));
  } finally {
    await within(stopRepainting(browser), 10_000, "removing the repaint pixel").catch((e) => console.error(e.message));
  }
  return file;
}

export function writeJson(name, value) {
  writeFileSync(path.join(SHOTS, name), `${JSON.stringify(value, null, 2)}\n`);
}

// ---- the app's own flows, shared by the test files --------------------------------------

export const MINUTE = 60_000;
/**
 * Upper bound for one answer on the 135M model: 5–40 s on an idle 2-core machine, but a
 * machine shared with other builds has been seen 10× slower. Waits end as soon as the UI
 * says the answer is there; this only bounds a hang.
 */
export const ANSWER_TIMEOUT = Number(process.env.E2E_ANSWER_TIMEOUT_MS ?? 10 * MINUTE);

/** The newest card of the conversation thread. */
export async function lastCard(browser) {
  const cards = await browser.$$("#thread .answer");
  return cards[cards.length - 1];
}

/** Types a question into the ask box and submits it. */
export async function ask(browser, question) {
  const box = await browser.$("#question");
  await box.waitForEnabled();
  await box.click();
  await box.setValue(question);
  await (await browser.$("#ask-button")).click();
}

/** Waits until the newest card is `question`'s and has settled (answer, stop or error). */
export async function waitSettled(browser, question, timeout = ANSWER_TIMEOUT) {
  await browser.waitUntil(
    async () => {
      const card = await lastCard(browser);
      if (!card) return false;
      const q = await card.$(".question").getText();
      const state = await card.getAttribute("data-state");
      return q.startsWith(question) && state !== "pending";
    },
    { timeout, interval: 250, timeoutMsg: `no answer to “${question}” within ${timeout / 1000} s` },
  );
  return lastCard(browser);
}

/** Waits until the newest card streams its draft (generation has started). */
export async function waitDrafting(browser) {
  await browser.waitUntil(async () => (await (await lastCard(browser))?.getAttribute("data-drafting")) === "true", {
    timeout: ANSWER_TIMEOUT,
    interval: 50,
    timeoutMsg: "generation did not start",
  });
}

/** The body's start-up phase (`starting`, `indexing`, `loading_model`, `ready`, `failed`). */
export async function phase(browser) {
  return (await browser.$("body")).getAttribute("data-phase");
}

/**
 * Invokes a shell command straight over IPC, as the UI's api.ts does, and returns
 * `{ ok, value }` or `{ ok: false, error }`. For checks the UI's own controls prevent (an
 * ask while the index builds: the Ask button is disabled then).
 */
export async function invoke(browser, command, args) {
  // The reply travels as JSON text: WebKitWebDriver has failed to serialise some objects.
  const reply = await browser.executeAsync(
    (command, args, done) => {
      const internals = window.__TAURI_INTERNALS__;
      const withChannels = { ...args };
      // A Channel argument is sent as "__CHANNEL__:<callback id>"; this one drops messages.
      for (const [key, value] of Object.entries(withChannels)) {
        if (value === "<channel>") withChannels[key] = `__CHANNEL__:${internals.transformCallback(() => {})}`;
      }
      internals
        .invoke(command, withChannels)
        .then((value) => done(JSON.stringify({ ok: true, value })))
        .catch((error) => done(JSON.stringify({ ok: false, error })));
    },
    command,
    args,
  );
  return JSON.parse(reply);
}

/** An element's text whether or not it is displayed (WebDriver's getText is "" for hidden ones). */
export async function textContent(browser, selector) {
  return browser.execute((selector) => document.querySelector(selector)?.textContent ?? "", selector);
}

// ---- accessibility, keyboard and window size ---------------------------------------------

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core over the page as it is now and returns the serious and critical violations
 * (rule id, impact, help and the first elements). axe is injected on first use.
 */
export async function axeViolations(browser) {
  if (!(await browser.execute(() => Boolean(window.axe)))) {
    // The source runs as the body of the session's script (not through eval, which the
    // app's CSP forbids); it sets window.axe.
    await browser.execute(`${AXE_SOURCE}\nreturn typeof window.axe;`);
  }
  const reply = await browser.executeAsync((done) => {
    window.axe
      .run(document, { resultTypes: ["violations"] })
      .then((results) => done(JSON.stringify(results.violations)))
      .catch((error) => done(JSON.stringify({ error: String(error) })));
  });
  const violations = JSON.parse(reply);
  if (violations.error) throw new Error(`axe-core failed: ${violations.error}`);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
}

/** The focused element: its tag, id, classes and text, to follow the keyboard. */
export async function focused(browser) {
  return browser.execute(() => {
    const el = document.activeElement;
    return el ? { tag: el.tagName.toLowerCase(), id: el.id, className: String(el.className), text: (el.textContent ?? "").trim().slice(0, 80) } : null;
  });
}

/** Presses `key` until the focused element matches `selector`; at most `max` presses. */
export async function tabTo(browser, selector, { key = "Tab", shift = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await browser.execute((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
    await browser.keys(shift ? ["Shift", key, "Shift"] : [key]);
  }
  return browser.execute((s) => document.activeElement?.matches(s) ?? false, selector);
}

/** Sets the window to `width` × `height` and returns the page's inner width (null if it cannot resize). */
export async function setWidth(browser, width, height = 800) {
  try {
    await browser.setWindowSize(width, height);
  } catch {
    return null;
  }
  return browser.execute(() => window.innerWidth);
}
