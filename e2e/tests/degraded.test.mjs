// DrugChatter when things are not in order, in the real app window: a first run that has
// to build its index (a small library, in a fresh data folder), and an answer model that
// cannot be loaded (the settings name a file that is not a GGUF model). The app must stay
// responsive while it indexes, refuse asks and searches until the index is there (never
// hang), then say what is wrong with the model and keep searching, browsing and
// answering by quoting the library. Screenshots: target/e2e-screenshots/degraded-*.png.

import assert from "node:assert/strict";
import { copyFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  ANSWER_TIMEOUT,
  MINUTE,
  ROOT,
  ask,
  closeApp,
  invoke,
  openApp,
  phase,
  screenshot,
  setWidth,
  startDriver,
  tempDir,
  textContent,
  waitSettled,
  writeJson,
} from "../lib/harness.mjs";

/** Enough monographs that indexing lasts long enough to be seen, few enough to be quick. */
const LIBRARY_SIZE = 20;

let browser;
const result = {};
let brokenModel;

describe("DrugChatter on a first run with a broken model", () => {
  before(async () => {
    const corpus = tempDir("corpus");
    const all = readdirSync(path.join(ROOT, "corpus")).filter((f) => f.endsWith(".md")).sort();
    const chosen = ["imiquimod.md", ...all.filter((f) => f !== "imiquimod.md").slice(0, LIBRARY_SIZE - 1)];
    for (const file of chosen) copyFileSync(path.join(ROOT, "corpus", file), path.join(corpus, file));

    const configDir = tempDir("config");
    brokenModel = path.join(tempDir("model"), "broken.gguf");
    writeFileSync(brokenModel, "this is not a GGUF model\n".repeat(100));
    writeFileSync(path.join(configDir, "settings.json"), JSON.stringify({ model: { kind: "file", path: brokenModel } }));

    await startDriver({ dataDir: tempDir("data"), corpusDir: corpus, configDir, prefix: "degraded-" });
    browser = await openApp();
    await setWidth(browser, 1366);
  });

  after(async () => {
    writeJson("degraded.json", result);
    await closeApp(browser);
  });

  it("while the first index builds, the window shows progress and refuses asks at once", { timeout: 10 * MINUTE }, async () => {
    await browser.waitUntil(async () => (await phase(browser)) === "indexing", {
      timeout: 5 * MINUTE,
      interval: 100,
      timeoutMsg: "the app never showed the indexing phase",
    });
    const banner = await browser.$("#status-banner");
    await browser.waitUntil(async () => /First run: building the library index/.test(await banner.getText()), {
      timeout: MINUTE,
      timeoutMsg: "no first-run banner",
    });
    // Ask looks disabled until the library is ready, and pressing it says why, visibly.
    const askButton = await browser.$("#ask-button");
    assert.equal(await askButton.getAttribute("aria-disabled"), "true");
    await (await browser.$("#question")).setValue("How does imiquimod work?");
    await askButton.click();
    await browser.waitUntil(async () => /still being indexed/.test(await (await browser.$("#ask-message")).getText()), {
      timeout: MINUTE,
      timeoutMsg: "no visible message when Ask is pressed while indexing",
    });
    assert.equal(await (await browser.$("#question")).getValue(), "How does imiquimod work?", "the question stays in the box");
    assert.equal((await browser.$$("#thread .answer")).length, 0, "nothing was asked");
    // The drug search does not claim a drug is missing while the library is being indexed.
    const search = await browser.$("#drug-search");
    await search.setValue("Aldara");
    const listbox = await browser.$("#drug-search-listbox");
    await listbox.waitForDisplayed({ timeout: MINUTE });
    const said = await listbox.getText();
    result.search_box_while_indexing = said;
    assert.match(said, /still being indexed/);
    assert.doesNotMatch(said, /No drug named/);
    await search.clearValue();

    // The UI prevents asking now; the shell must also refuse a direct call, not block on the
    // index build. The reply counts only if the build was still running after it arrived.
    const asked = await invoke(browser, "ask", { question: "How does imiquimod work?", followUp: false, onEvent: "<channel>" });
    const searched = await invoke(browser, "search", { query: "imiquimod", k: 5 });
    const stillIndexing = (await phase(browser)) === "indexing";
    result.ask_while_indexing = asked;
    result.search_while_indexing = searched;
    assert.ok(stillIndexing, "the index build finished before the check; use a larger LIBRARY_SIZE");
    assert.equal(asked.ok, false);
    assert.equal(asked.error.kind, "not_ready");
    assert.match(asked.error.message, /still being indexed/);
    assert.equal(searched.ok, false);
    assert.equal(searched.error.kind, "not_ready");
    await screenshot(browser, "first-run-indexing");
  });

  it("the first-run banner shows a percentage and the time left, its bar standing still", { timeout: 10 * MINUTE }, async () => {
    const banner = async () =>
      browser.execute(() => ({
        phase: document.body.dataset.phase,
        percent: document.querySelector("#status-banner .progress-percent")?.textContent ?? "",
        eta: document.querySelector("#status-banner .progress-eta")?.textContent ?? "",
        detail: document.querySelector("#status-banner .progress-detail")?.textContent ?? "",
        barLeft: document.querySelector("#status-banner progress")?.getBoundingClientRect().left ?? null,
      }));
    const seen = [];
    await browser.waitUntil(
      async () => {
        const now = await banner();
        if (now.phase !== "indexing") return true;
        if (now.percent && (seen.length === 0 || seen[seen.length - 1].detail !== now.detail)) seen.push(now);
        return seen.some((b) => /left$/.test(b.eta)) && seen.length >= 3;
      },
      { timeout: 5 * MINUTE, interval: 200, timeoutMsg: "the banner never gave the time left" },
    );
    result.banner_samples = seen;
    assert.ok((await banner()).phase === "indexing" || seen.some((b) => /left$/.test(b.eta)), "the index build finished before the banner could be read; use a larger LIBRARY_SIZE");
    assert.ok(seen.length >= 2, `${seen.length} progress updates seen`);
    for (const b of seen) assert.match(b.percent, /^\d{1,3}%$/);
    assert.ok(seen.some((b) => /left$/.test(b.eta)), `a time left: ${seen.map((b) => b.eta).join(" | ")}`);
    const lefts = new Set(seen.map((b) => b.barLeft));
    assert.equal(lefts.size, 1, `the bar moved sideways: ${[...lefts].join(", ")}`);
    for (const width of [1366, 960]) {
      await setWidth(browser, width);
      await screenshot(browser, `first-run-banner-${width}`);
    }
    await setWidth(browser, 1366);
    // The Library view, opened now, says the library is not ready; it must refresh itself.
    await (await browser.$('.views-nav button[data-view="library"]')).click();
    await (await browser.$("#view-library")).waitForDisplayed({ timeout: MINUTE });
    result.library_while_indexing = await textContent(browser, "#view-library");
  });

  it("then becomes ready, and names the model file that could not be loaded", { timeout: 30 * MINUTE }, async () => {
    await browser.waitUntil(async () => (await phase(browser)) === "ready", {
      timeout: 30 * MINUTE,
      interval: 500,
      timeoutMsg: "the app did not become ready",
    });
    // The Library view opened while indexing shows the library now, with no click.
    const row = await browser.$('table.libraries tr[data-library="bundled"]');
    await row.waitForDisplayed({ timeout: 2 * MINUTE });
    assert.doesNotMatch(await textContent(browser, "#view-library"), /still being indexed/);
    await screenshot(browser, "library-after-ready");
    // The message under the question box went away with the indexing.
    assert.equal(await textContent(browser, "#ask-message"), "");
    await (await browser.$('.views-nav button[data-view="ask"]')).click();
    const body = await browser.$("body");
    assert.equal(await body.getAttribute("data-index-ready"), "true");
    assert.equal(await body.getAttribute("data-model"), "error");
    const warning = await browser.$("#status-banner .banner-warning");
    await warning.waitForDisplayed({ timeout: 2 * MINUTE });
    const text = await warning.getText();
    result.model_error = text;
    assert.match(text, /The answer model could not be loaded/);
    assert.ok(text.includes(brokenModel), "the message names the file");
    assert.match(text, /browsing and search still work/);
    await screenshot(browser, "model-error");
  });

  it("still answers, by quoting the library", { timeout: ANSWER_TIMEOUT + MINUTE }, async () => {
    await ask(browser, "How does imiquimod work?");
    const card = await waitSettled(browser, "How does imiquimod work?");
    assert.equal(await card.getAttribute("data-state"), "done");
    assert.equal(await card.getAttribute("data-status"), "extractive");
    assert.ok((await card.$$(".cite")).length > 0, "quoted sentences cite their sources");
    assert.match(await card.$(".answer-body").getText(), /imiquimod|immune/i);
    await screenshot(browser, "quoted-answer");
  });

  it("still searches and browses", { timeout: 5 * MINUTE }, async () => {
    const search = await browser.$("#drug-search");
    await search.click();
    await search.setValue("Aldara");
    const option = await browser.$('#drug-search-listbox [role="option"][data-slug="imiquimod"]');
    await option.waitForDisplayed({ timeout: 2 * MINUTE });
    await browser.keys(["Enter"]);
    const view = await browser.$('#view-monograph .monograph[data-slug="imiquimod"]');
    await view.waitForDisplayed({ timeout: 2 * MINUTE });
    await (await browser.$("#view-monograph .back-button")).click();
    await (await browser.$('.views-nav button[data-view="library"]')).click();
    const row = await browser.$('table.libraries tr[data-library="bundled"]');
    await row.waitForDisplayed({ timeout: 2 * MINUTE });
    assert.equal(Number(await row.$("td").getText()), LIBRARY_SIZE);
    await screenshot(browser, "library");
  });
});
