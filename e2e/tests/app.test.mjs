// DrugChatter end to end, in the real app window (WebKitGTK) with the real models and
// the real index. The steps run in order in one app session; each saves a screenshot
// under target/e2e-screenshots/.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ANSWER_TIMEOUT,
  APP,
  DATA_DIR,
  MINUTE,
  ask as askIn,
  closeApp,
  lastCard as lastCardIn,
  openApp,
  screenshot,
  startDriver,
  textContent,
  waitDrafting,
  waitSettled as waitSettledIn,
  writeJson,
} from "../lib/harness.mjs";

/** Upper bounds for UI reactions and for a whole UI-only step (a loaded machine is slow). */
const UI_TIMEOUT = 2 * MINUTE;
const STEP_TIMEOUT = 5 * MINUTE;
/** First run builds the index (minutes on 2 cores); later runs load it in a second. */
const READY_TIMEOUT = Number(process.env.E2E_READY_TIMEOUT_MS ?? 40 * MINUTE);

let browser;
const timings = { app: APP, data_dir: DATA_DIR };
let sessionStart = 0;

const ask = (question) => askIn(browser, question);
const lastCard = () => lastCardIn(browser);
const waitSettled = (question, timeout) => waitSettledIn(browser, question, timeout);

async function doneCount() {
  return (await browser.$$('.answer[data-state="done"]')).length;
}

describe("DrugChatter desktop app", () => {
  before(async () => {
    await startDriver();
    sessionStart = Date.now();
    browser = await openApp();
    try {
      await browser.setWindowSize(1280, 720);
    } catch {
      // Some WebKitWebDriver builds cannot resize; the window then keeps its 1280×800.
    }
  });

  after(async () => {
    writeJson("timings.json", timings);
    await closeApp(browser);
  });

  it("starts, shows first-run progress, and becomes ready", { timeout: READY_TIMEOUT + MINUTE }, async () => {
    await (await browser.$("body[data-phase]")).waitForExist({ timeout: MINUTE });
    timings.window_ms = Date.now() - sessionStart;
    await screenshot(browser, "start");
    let progressShot = false;
    await browser.waitUntil(
      async () => {
        const phase = await (await browser.$("body")).getAttribute("data-phase");
        if (phase === "indexing" && !progressShot) {
          const banner = await browser.$("#status-banner progress");
          if (await banner.isExisting()) {
            await screenshot(browser, "first-run-indexing");
            progressShot = true;
          }
        }
        return phase === "ready" || phase === "failed";
      },
      { timeout: READY_TIMEOUT, interval: 500, timeoutMsg: "the app did not become ready" },
    );
    timings.ready_ms = Date.now() - sessionStart;
    const body = await browser.$("body");
    assert.equal(await body.getAttribute("data-phase"), "ready");
    assert.equal(await body.getAttribute("data-index-ready"), "true");
    assert.equal(await body.getAttribute("data-model"), "loaded", "the bundled model should load");
    timings.startup = JSON.parse((await body.getAttribute("data-timings")) ?? "{}");
    await screenshot(browser, "ready");
  });

  it("asks “How does imiquimod work?” and streams the answer", { timeout: ANSWER_TIMEOUT + MINUTE }, async () => {
    const asked = Date.now();
    await ask("How does imiquimod work?");
    // The draft streams token by token before the verified answer replaces it.
    await browser.waitUntil(
      async () => {
        const card = await lastCard();
        return (await card.getAttribute("data-state")) !== "pending" || (await card.getAttribute("data-drafting")) === "true";
      },
      { timeout: ANSWER_TIMEOUT, interval: 100, timeoutMsg: "no draft streamed" },
    );
    timings.first_draft_ms = Date.now() - asked;
    const drafting = await lastCard();
    if ((await drafting.getAttribute("data-state")) === "pending") {
      const draft = await drafting.$(".draft-text").getText();
      assert.ok(draft.length > 0, "the draft shows streamed text");
      await screenshot(browser, "imiquimod-streaming");
    }
    const card = await waitSettled("How does imiquimod work?");
    timings.first_answer_ms = Date.now() - asked;
    timings.first_answer_since_launch_ms = Date.now() - sessionStart;
    assert.equal(await card.getAttribute("data-state"), "done");
    const status = await card.getAttribute("data-status");
    assert.ok(["generated", "extractive"].includes(status), `answered (status ${status})`);
    const text = await card.$(".answer-body").getText();
    assert.match(text, /imiquimod|immune|TLR7|toll-like/i);
    assert.ok((await card.$$(".cite")).length > 0, "sentences carry [n] markers");
    assert.match(await card.$(".profile-link").getText(), /See the profile for Imiquimod/);
    assert.ok((await card.$$(".other-question")).length > 0, "Other questions about Imiquimod are offered");
    assert.match(await card.$(".notice-disclaimer").getText(), /research preview/i);
    timings.first_answer_status = status;
    await screenshot(browser, "imiquimod-answer");
  });

  it("hovering a citation shows its passage", { timeout: STEP_TIMEOUT }, async () => {
    const cite = await (await lastCard()).$(".cite");
    try {
      await cite.moveTo();
    } catch {
      await browser.execute((el) => el.focus(), cite);
    }
    const tooltip = await browser.$("#tooltip");
    await browser.waitUntil(async () => !(await tooltip.getAttribute("hidden") !== null), { timeout: UI_TIMEOUT, timeoutMsg: "no tooltip" }).catch(async () => {
      await browser.execute((el) => el.focus(), cite);
      await tooltip.waitForDisplayed({ timeout: UI_TIMEOUT });
    });
    assert.match(await tooltip.getText(), /Imiquimod/);
    await screenshot(browser, "citation-hover");
  });

  it("copies the answer with its citations", { timeout: STEP_TIMEOUT }, async () => {
    const copy = await (await lastCard()).$(".copy-answer");
    await copy.scrollIntoView();
    await copy.click();
    await browser.waitUntil(async () => /copied/i.test(await textContent(browser, "#announcer")), {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the copy was not confirmed",
    });
    // Paste it back into the question box to check what the clipboard holds.
    const box = await browser.$("#question");
    await box.click();
    await browser.keys(["Control", "v"]);
    await browser.keys(["Control"]);
    const pasted = await box.getValue();
    if (pasted) {
      assert.match(pasted, /Q: How does imiquimod work\?/);
      assert.match(pasted, /\[1\] Imiquimod › /);
    }
    await box.clearValue();
  });

  it("a citation opens the imiquimod monograph at the cited section", { timeout: STEP_TIMEOUT }, async () => {
    const cite = await (await lastCard()).$(".cite");
    const label = await cite.getAttribute("aria-label"); // "Source 1: Imiquimod › How It Works. Open in the monograph."
    const cited = label.replace(/^Source \d+: /, "").replace(/\. Open in the monograph\.$/, "");
    const [drug, ...sectionPath] = cited.split(" › ");
    assert.equal(drug, "Imiquimod");
    await browser.execute((el) => el.click(), cite);
    const view = await browser.$('#view-monograph .monograph[data-slug="imiquimod"]');
    await view.waitForDisplayed({ timeout: UI_TIMEOUT });
    const highlighted = await browser.$("#view-monograph .block.highlight");
    await highlighted.waitForDisplayed({ timeout: UI_TIMEOUT });
    assert.ok(await highlighted.isDisplayed({ withinViewport: true }), "the cited block is scrolled into view");
    const where = await browser.$(".cited-where").getText();
    assert.equal(where, `Cited passage: ${sectionPath.join(" › ")}`);
    // The highlighted block sits under the cited section's heading.
    const heading = await browser.execute(
      (el) => el.closest("section.mono-section")?.querySelector(".section-heading")?.textContent ?? "",
      highlighted,
    );
    assert.equal(heading, sectionPath[sectionPath.length - 1]);
    await screenshot(browser, "monograph-at-citation");
    await (await browser.$("#view-monograph .back-button")).click();
    await (await browser.$("#view-ask")).waitForDisplayed();
  });

  it("an “Other questions” suggestion gets its own answer", { timeout: ANSWER_TIMEOUT + MINUTE }, async () => {
    const before = await doneCount();
    const suggestion = await (await lastCard()).$(".other-question");
    const question = await suggestion.getText();
    await suggestion.scrollIntoView();
    await suggestion.click();
    const card = await waitSettled(question);
    assert.equal(await card.getAttribute("data-state"), "done");
    assert.notEqual(await card.getAttribute("data-status"), "abstained");
    assert.equal(await doneCount(), before + 1);
    await screenshot(browser, "other-question-answer");
  });

  it("searching “Aldara” reaches imiquimod", { timeout: STEP_TIMEOUT }, async () => {
    const search = await browser.$("#drug-search");
    await search.click();
    await search.setValue("Aldara");
    const option = await browser.$('#drug-search-listbox [role="option"][data-slug="imiquimod"]');
    await option.waitForDisplayed({ timeout: UI_TIMEOUT });
    assert.match(await option.getText(), /Imiquimod.*Aldara/);
    await screenshot(browser, "search-aldara");
    await browser.keys(["Enter"]);
    const view = await browser.$('#view-monograph .monograph[data-slug="imiquimod"]');
    await view.waitForDisplayed({ timeout: UI_TIMEOUT });
    assert.match(await browser.$(".mono-title").getText(), /Imiquimod/);
    assert.match(await browser.$(".synonyms").getText(), /Aldara/);
    await screenshot(browser, "imiquimod-profile");
    await (await browser.$("#view-monograph .back-button")).click();
  });

  it("a drug not in the library gets an abstention", { timeout: ANSWER_TIMEOUT + MINUTE }, async () => {
    await (await browser.$("#new-conversation")).click();
    await ask("What is zolmitriptan used for?");
    const card = await waitSettled("What is zolmitriptan used for?");
    assert.equal(await card.getAttribute("data-status"), "abstained");
    assert.ok(await card.$(".notice-not_in_library").isExisting(), "the not-in-library notice is shown");
    assert.match(await card.$(".abstention").getText(), /no monograph on zolmitriptan/i);
    assert.equal((await card.$$(".cite")).length, 0, "an abstention cites nothing");
    await card.scrollIntoView();
    await screenshot(browser, "abstention");
  });

  it("a shared name offers its medicines as choices, and a choice asks again", { timeout: 2 * ANSWER_TIMEOUT + MINUTE }, async () => {
    await (await browser.$("#new-conversation")).click();
    await ask("how do I inject insulin");
    const card = await waitSettled("how do I inject insulin");
    assert.equal(await card.getAttribute("data-status"), "clarification");
    const choices = await card.$$(".clarification-choice");
    assert.ok(choices.length >= 2, `${choices.length} choices`);
    const title = await choices[0].getText();
    assert.match(title, /^Insulin /);
    await card.scrollIntoView();
    await screenshot(browser, "clarification");
    await choices[0].click();
    const chosen = await waitSettled(`how do I inject ${title}`);
    assert.equal(await chosen.getAttribute("data-state"), "done");
    assert.notEqual(await chosen.getAttribute("data-status"), "clarification");
  });

  it("a fact the library lacks is said first, apart from the related facts", { timeout: ANSWER_TIMEOUT + MINUTE }, async () => {
    await (await browser.$("#new-conversation")).click();
    await ask("What do metoprolol tablets look like? What color are they?");
    const card = await waitSettled("What do metoprolol tablets look like? What color are they?");
    const missing = await card.$(".not-covered");
    assert.match(await missing.getText(), /does not describe what Metoprolol looks like/);
    const related = await card.$(".related-facts");
    if (await related.isExisting()) {
      assert.match(await related.$(".related-label").getText(), /Related/);
    }
    await card.scrollIntoView();
    await screenshot(browser, "not-covered");
  });

  it("Stop cancels a generation mid-way, and the next question still works", { timeout: 2 * ANSWER_TIMEOUT + MINUTE }, async () => {
    await (await browser.$("#new-conversation")).click();
    await ask("What are the common side effects of ibuprofen?");
    await waitDrafting(browser);
    const stop = await browser.$("#stop-button");
    assert.ok(await stop.isDisplayed(), "Stop is offered while generating");
    await screenshot(browser, "generating-before-stop");
    await stop.click();
    const card = await waitSettled("What are the common side effects of ibuprofen?", 60_000);
    assert.equal(await card.getAttribute("data-state"), "cancelled");
    assert.match(await card.getText(), /Stopped/);
    assert.equal(await stop.isDisplayed(), false);
    await screenshot(browser, "stopped");

    await ask("How should I store insulin glargine?");
    const next = await waitSettled("How should I store insulin glargine?");
    assert.equal(await next.getAttribute("data-state"), "done");
    await screenshot(browser, "answer-after-stop");
  });

  it("a second question while one is generating replaces it", { timeout: 2 * ANSWER_TIMEOUT + MINUTE }, async () => {
    await ask("How does metformin work?");
    await waitDrafting(browser);
    await ask("What is the usual dose of amlodipine?");
    const second = await waitSettled("What is the usual dose of amlodipine?");
    assert.equal(await second.getAttribute("data-state"), "done");
    const cards = await browser.$$("#thread .answer");
    const first = cards[cards.length - 2];
    assert.match(await first.$(".question").getText(), /metformin/);
    assert.equal(await first.getAttribute("data-state"), "cancelled");
    await screenshot(browser, "second-ask-replaces-first");
  });

  it("the library browser lists libraries with counts", { timeout: STEP_TIMEOUT }, async () => {
    await (await browser.$('.views-nav button[data-view="library"]')).click();
    const row = await browser.$('table.libraries tr[data-library="bundled"]');
    await row.waitForDisplayed({ timeout: UI_TIMEOUT });
    const drugs = Number(await row.$("td").getText());
    assert.ok(drugs >= 100, `bundled library lists ${drugs} drugs`);
    assert.ok((await browser.$$(".drug-item")).length >= 100);
    await screenshot(browser, "library");
  });

  it("the CSP blocks remote requests from the webview", { timeout: STEP_TIMEOUT }, async () => {
    const result = await browser.executeAsync((done) => {
      const violations = [];
      document.addEventListener("securitypolicyviolation", (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      let fetchError = "";
      fetch("https://example.com/track")
        .then(() => (fetchError = "fetched"))
        .catch((e) => (fetchError = String(e)));
      const img = new Image();
      img.src = "https://example.com/pixel.png";
      const script = document.createElement("script");
      script.src = "https://example.com/x.js";
      document.head.append(script);
      setTimeout(() => done({ violations, fetchError }), 1500);
    });
    assert.notEqual(result.fetchError, "fetched");
    const blocked = result.violations.join("\n");
    assert.match(blocked, /connect-src https:\/\/example\.com/);
    assert.match(blocked, /img-src https:\/\/example\.com/);
    assert.match(blocked, /script-src(-elem)? https:\/\/example\.com/);
    writeJson("csp-violations.json", result);
  });

  it("settings switch to the dark theme and history lists the session", { timeout: STEP_TIMEOUT }, async () => {
    await (await browser.$('.views-nav button[data-view="settings"]')).click();
    const theme = await browser.$("#theme");
    await theme.waitForDisplayed();
    await theme.selectByAttribute("value", "dark");
    await (await browser.$("#save-settings")).click();
    await browser.waitUntil(async () => (await browser.$("html").getAttribute("data-theme")) === "dark", {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the dark theme was not applied",
    });
    await screenshot(browser, "settings-dark");
    await (await browser.$('.views-nav button[data-view="ask"]')).click();
    const items = await browser.$$(".history-item");
    assert.ok(items.length >= 6, `history has ${items.length} questions`);
    await screenshot(browser, "ask-dark-history");
  });
});
