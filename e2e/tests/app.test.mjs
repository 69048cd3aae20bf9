// DrugChatter end to end, in the real app window (WebKitGTK) with the real models and
// the real index. The steps run in order in one app session; each saves a screenshot
// under target/e2e-screenshots/.

import { spawn } from "node:child_process";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ANSWER_TIMEOUT,
  APP,
  appEnv,
  DATA_DIR,
  MINUTE,
  ask as askIn,
  axeViolations,
  closeApp,
  focused,
  lastCard as lastCardIn,
  openApp,
  phase,
  screenshot,
  setWidth,
  startDriver,
  tabTo,
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

/** The two window widths every view is looked at in. */
const WIDTHS = [1366, 960];
const axeResults = {};

/** Asserts that axe-core finds no serious or critical violation in the view as it is now. */
async function assertAccessible(view) {
  const violations = await axeViolations(browser);
  axeResults[view] = violations;
  assert.deepEqual(violations, [], `axe-core on the ${view} view`);
}

/** Saves a screenshot of the view as it is now at each width, and returns to the first. */
async function screenshotWidths(name, prepare = async () => {}) {
  for (const width of WIDTHS) {
    const inner = await setWidth(browser, width);
    timings[`inner_width_${width}`] = inner;
    await prepare(width);
    await screenshot(browser, `${name}-${width}`);
  }
  await setWidth(browser, WIDTHS[0]);
}

/** Whether the newest card shows only progress while generating: no draft, one Stop, Ask off. */
async function checkGenerating(card) {
  assert.equal(await card.$(".draft-text").isExisting(), false, "the unchecked draft is not shown");
  assert.equal(await card.$(".progress-state").getText(), "Writing and checking the answer…");
  const stops = await browser.$$("button=Stop");
  const shown = [];
  for (const stop of stops) if (await stop.isDisplayed()) shown.push(stop);
  assert.equal(shown.length, 1, "exactly one Stop button while generating");
  assert.equal(await (await browser.$("#ask-button")).isEnabled(), false, "Ask is disabled while generating");
}

describe("DrugChatter desktop app", () => {
  before(async () => {
    await startDriver();
    sessionStart = Date.now();
    browser = await openApp();
    // Some WebKitWebDriver builds cannot resize; the window then keeps its 1280×800.
    await setWidth(browser, WIDTHS[0]);
  });

  after(async () => {
    writeJson("timings.json", timings);
    writeJson("axe.json", axeResults);
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
    await assertAccessible("start");
  });

  it("below 1,000 px the drug search keeps a usable width", { timeout: STEP_TIMEOUT }, async () => {
    await screenshotWidths("view-start", async (width) => {
      const search = await browser.$("#drug-search");
      const size = await search.getSize();
      if (width < 1000) assert.ok(size.width >= 300, `the drug search is ${size.width} px wide at ${width} px`);
      assert.ok(await search.isDisplayed({ withinViewport: true }));
    });
  });

  it("the settings view is accessible and fits both widths", { timeout: STEP_TIMEOUT }, async () => {
    await (await browser.$('.views-nav button[data-view="settings"]')).click();
    await (await browser.$("#theme")).waitForDisplayed({ timeout: UI_TIMEOUT });
    await assertAccessible("settings");
    await screenshotWidths("view-settings");
    await (await browser.$('.views-nav button[data-view="ask"]')).click();
  });

  it("asks “How does imiquimod work?” by keyboard; while it is written only progress shows", { timeout: ANSWER_TIMEOUT + MINUTE }, async () => {
    // Without a mouse: the question box has the focus at start; type, then Enter.
    assert.ok(await tabTo(browser, "#question"), "the question box is reachable by keyboard");
    await browser.keys("How does imiquimod work?");
    const asked = Date.now();
    await browser.keys(["Enter"]);
    await browser.waitUntil(
      async () => {
        const card = await lastCard();
        return (await card.getAttribute("data-state")) !== "pending" || (await card.getAttribute("data-drafting")) === "true";
      },
      { timeout: ANSWER_TIMEOUT, interval: 100, timeoutMsg: "generation did not start" },
    );
    timings.first_draft_ms = Date.now() - asked;
    const drafting = await lastCard();
    let liveBody = null;
    if ((await drafting.getAttribute("data-state")) === "pending") {
      await checkGenerating(drafting);
      liveBody = await drafting.$(".answer-body");
      assert.equal(await liveBody.getAttribute("aria-live"), "polite", "the answer's body is a live region");
      await screenshotWidths("view-writing");
    }
    const card = await waitSettled("How does imiquimod work?");
    const body = await card.$(".answer-body");
    assert.equal(await body.getAttribute("aria-live"), "polite");
    if (liveBody) assert.equal(body.elementId, liveBody.elementId, "the live region is filled in place, so its answer is announced");
    timings.first_answer_ms = Date.now() - asked;
    timings.first_answer_since_launch_ms = Date.now() - sessionStart;
    assert.equal(await card.getAttribute("data-state"), "done");
    const status = await card.getAttribute("data-status");
    assert.ok(["generated", "extractive"].includes(status), `answered (status ${status})`);
    const text = await card.$(".answer-body").getText();
    assert.match(text, /imiquimod|immune|TLR7|toll-like/i);
    assert.ok((await card.$$(".cite")).length > 0, "sentences carry [n] markers");
    assert.match(await card.$(".profile-link").getText(), /See the profile for Imiquimod/);
    const others = await card.$$(".other-question");
    assert.ok(others.length > 0 && others.length <= 6, `${others.length} other questions (1 to 6)`);
    for (const other of others) assert.match(await other.getText(), /imiquimod|aldara|zyclara/i, "each other question names its drug");
    // The disclaimer heads the answer, right under the question, as on the seed page.
    const second = await browser.execute((el) => el.children[1]?.className ?? "", card);
    assert.equal(second, "notice notice-disclaimer");
    assert.match(await card.$(".notice-disclaimer").getText(), /research preview/i);
    // Sources are numbered as shown: [1]..[k] with no gap, and every citation is one of them.
    const numbers = [];
    for (const li of await card.$$(".sources li")) numbers.push(Number(await li.getAttribute("data-n")));
    assert.deepEqual(numbers, numbers.map((_, i) => i + 1), `sources numbered ${numbers.join(", ")}`);
    for (const cite of await card.$$(".cite")) assert.ok(numbers.includes(Number(await cite.getAttribute("data-n"))));
    assert.doesNotMatch(await card.$(".meta").getText(), /no model/, "the model is loaded");
    timings.first_answer_status = status;
    await screenshot(browser, "imiquimod-answer");
    await assertAccessible("answer");
  });

  it("without a mouse: Tab to a citation, Enter opens the profile at the passage, Escape comes back", { timeout: STEP_TIMEOUT }, async () => {
    assert.ok(await tabTo(browser, "#thread .answer:last-child .cite", { shift: true }), "a citation is reachable by Shift+Tab from the question box");
    const cite = await browser.getActiveElement();
    const citeId = cite["element-6066-11e4-a071-4f7e49f01a0d"] ?? cite.ELEMENT;
    const ring = await browser.execute(() => {
      const style = getComputedStyle(document.activeElement);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    assert.notEqual(ring.style, "none", "the focused citation shows a focus ring");
    assert.ok(ring.width >= 2, `focus ring ${ring.width} px`);
    await (await browser.$("#tooltip")).waitForDisplayed({ timeout: UI_TIMEOUT });
    await screenshot(browser, "keyboard-citation-focused");
    await browser.keys(["Enter"]);
    const highlighted = await browser.$("#view-monograph .block.highlight");
    await highlighted.waitForDisplayed({ timeout: UI_TIMEOUT });
    assert.ok(await highlighted.isDisplayed({ withinViewport: true }), "the passage is in view");
    assert.match((await focused(browser)).className, /highlight/, "the focus moved to the cited passage");
    await screenshot(browser, "keyboard-profile-at-passage");
    await browser.keys(["Escape"]);
    await (await browser.$("#view-ask")).waitForDisplayed({ timeout: UI_TIMEOUT });
    const back = await browser.getActiveElement();
    assert.equal(back["element-6066-11e4-a071-4f7e49f01a0d"] ?? back.ELEMENT, citeId, "the focus is back on the citation");
    // Space opens a citation too, and the Back button works from the keyboard.
    await browser.keys([" "]);
    await (await browser.$("#view-monograph .block.highlight")).waitForDisplayed({ timeout: UI_TIMEOUT });
    assert.ok(await tabTo(browser, "#view-monograph .back-button", { shift: true }), "Back is reachable by keyboard");
    await browser.keys(["Enter"]);
    await (await browser.$("#view-ask")).waitForDisplayed({ timeout: UI_TIMEOUT });
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
    // The section list marks the cited section, also once the page has scrolled to it.
    const current = () => textContent(browser, "#view-monograph .toc a.current");
    await browser.waitUntil(async () => (await current()) === sectionPath[0], {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the section list does not mark the cited section",
    });
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
    assert.match(await card.$(".abstention").getText(), /no monograph on zolmitriptan/i);
    assert.equal(await card.$(".notice-not_in_library").isExisting(), false, "no notice repeats the abstention");
    const meta = await card.$(".meta").getText();
    assert.doesNotMatch(meta, /no model|0\.0 s/, `the model line says what is true: ${meta}`);
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
    await ask("What do prednisone tablets look like? What color are they?");
    const card = await waitSettled("What do prednisone tablets look like? What color are they?");
    const missing = await card.$(".not-covered");
    assert.match(await missing.getText(), /does not describe what Prednisone looks like/);
    const related = await card.$(".related-facts");
    if (await related.isExisting()) {
      assert.match(await related.$(".related-label").getText(), /Related/);
    }
    await card.scrollIntoView();
    await screenshot(browser, "not-covered");
  });

  it("a class named in a question links to its page: the members, and each shared line cited to its member", { timeout: ANSWER_TIMEOUT + 2 * STEP_TIMEOUT }, async () => {
    await (await browser.$("#new-conversation")).click();
    await ask("Do statins cause muscle pain?");
    const card = await waitSettled("Do statins cause muscle pain?");
    const link = await card.$(".class-link");
    assert.equal(await link.getText(), "See what statins share");
    await link.click();
    const page = await browser.$("#view-class .class-page");
    await page.waitForDisplayed({ timeout: UI_TIMEOUT });
    assert.equal(await (await page.$(".class-title")).getText(), "Statins");
    const members = await page.$$(".class-member");
    assert.ok(members.length >= 2, `${members.length} members`);
    const lines = await page.$$(".member-line");
    assert.ok(lines.length >= 4, `${lines.length} shared lines`);
    await screenshotWidths("view-class");
    await assertAccessible("class");
    // A citation opens the member's profile at its passage; Back returns to the class page.
    const first = lines[0];
    const drug = await first.getAttribute("data-drug");
    await (await first.$(".cite")).click();
    const highlight = await browser.$(`#view-monograph .monograph[data-slug="${drug}"] .block.highlight`);
    await highlight.waitForDisplayed({ timeout: UI_TIMEOUT });
    await browser.keys(["Escape"]);
    await page.waitForDisplayed({ timeout: UI_TIMEOUT });
    await browser.keys(["Escape"]);
    await (await browser.$("#view-ask")).waitForDisplayed({ timeout: UI_TIMEOUT });
  });

  it("Stop cancels a generation mid-way, and the next question still works", { timeout: 2 * ANSWER_TIMEOUT + MINUTE }, async () => {
    await (await browser.$("#new-conversation")).click();
    await ask("What are the common side effects of ibuprofen?");
    await waitDrafting(browser);
    const stop = await browser.$("#stop-button");
    assert.ok(await stop.isDisplayed(), "Stop is offered while generating");
    await checkGenerating(await lastCard());
    // Enter while generating says what to do instead of doing nothing.
    await (await browser.$("#question")).setValue("another question");
    await browser.keys(["Enter"]);
    await browser.waitUntil(async () => /Press Stop/.test(await textContent(browser, "#ask-message")), {
      timeout: UI_TIMEOUT,
      timeoutMsg: "no message on Enter while generating",
    });
    await screenshot(browser, "generating-before-stop");
    await stop.click();
    const card = await waitSettled("What are the common side effects of ibuprofen?", 60_000);
    assert.equal(await card.getAttribute("data-state"), "cancelled");
    assert.match(await card.getText(), /Stopped/);
    assert.equal(await stop.isDisplayed(), false);
    await screenshot(browser, "stopped");

    await (await browser.$("#question")).clearValue();
    await ask("How should I store insulin glargine?");
    const next = await waitSettled("How should I store insulin glargine?");
    assert.equal(await next.getAttribute("data-state"), "done");
    await screenshot(browser, "answer-after-stop");
  });

  it("a suggested question picked while one is generating replaces it", { timeout: 2 * ANSWER_TIMEOUT + MINUTE }, async () => {
    await ask("How does metformin work?");
    await waitDrafting(browser);
    // Ask is disabled now; an earlier answer's suggestion still asks at once.
    const chip = await browser.$("#thread .answer[data-state='done'] .other-question");
    const question = await chip.getText();
    await browser.execute((el) => el.click(), chip);
    const second = await waitSettled(question);
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
    await assertAccessible("library");
  });

  it("the profile keeps its Back bar at the top and its section list on the reader's place", { timeout: STEP_TIMEOUT }, async () => {
    await (await browser.$('.drug-item[data-slug="imiquimod"]')).click();
    const view = await browser.$('#view-monograph .monograph[data-slug="imiquimod"]');
    await view.waitForDisplayed({ timeout: UI_TIMEOUT });
    await assertAccessible("profile");
    const place = () =>
      browser.execute(() => {
        const view = document.querySelector("#view-monograph");
        const bar = document.querySelector("#view-monograph .mono-toolbar");
        return {
          gap: bar.getBoundingClientRect().top - view.getBoundingClientRect().top,
          current: [...document.querySelectorAll("#view-monograph .toc a.current")].map((a) => a.textContent),
          headings: [...document.querySelectorAll("#view-monograph .toc a")].map((a) => a.textContent),
        };
      });
    const start = await place();
    assert.equal(start.current.length, 1);
    assert.equal(start.current[0], start.headings[0]);
    // To the bottom: the bar is still at the very top, and the list is on the last section.
    await browser.execute(() => {
      const view = document.querySelector("#view-monograph");
      view.scrollTop = view.scrollHeight;
    });
    await browser.waitUntil(async () => (await place()).current[0] === start.headings[start.headings.length - 1], {
      timeout: UI_TIMEOUT,
      timeoutMsg: "the section list did not follow to the last section",
    });
    assert.ok(Math.abs((await place()).gap) < 1, `the Back bar sits ${(await place()).gap} px from the top`);
    assert.ok(await (await browser.$("#view-monograph .back-button")).isDisplayed({ withinViewport: true }));
    await screenshot(browser, "profile-scrolled-to-end");
    // A section in the middle.
    const middle = start.headings[Math.floor(start.headings.length / 2)];
    await browser.execute((heading) => {
      const link = [...document.querySelectorAll("#view-monograph .toc a")].find((a) => a.textContent === heading);
      document.querySelector(link.getAttribute("href")).scrollIntoView({ block: "center" });
    }, middle);
    await browser.waitUntil(async () => (await place()).current[0] === middle, {
      timeout: UI_TIMEOUT,
      timeoutMsg: `the section list did not follow to ${middle}`,
    });
    await (await browser.$("#view-monograph .back-button")).click();
  });

  it("every view at 1,366 and 960 px wide", { timeout: 2 * STEP_TIMEOUT }, async () => {
    const open = async (selector) => (await browser.$(selector)).waitForDisplayed({ timeout: UI_TIMEOUT });
    await (await browser.$('.views-nav button[data-view="ask"]')).click();
    const answer = await browser.$("#thread .answer[data-status='generated'], #thread .answer[data-status='extractive']");
    await screenshotWidths("view-answer", async () => {
      await browser.execute((el) => el.scrollIntoView({ block: "start" }), answer);
    });
    await screenshotWidths("view-profile", async () => {
      await browser.execute((el) => el.querySelector(".cite").click(), answer);
      await open("#view-monograph .block.highlight");
    });
    await screenshotWidths("view-search", async () => {
      const search = await browser.$("#drug-search");
      await search.click();
      await search.setValue("sun sensitivity");
      await browser.keys(["Enter"]);
      await open("#view-search .search-results");
    });
    await screenshotWidths("view-library", async () => {
      await (await browser.$('.views-nav button[data-view="library"]')).click();
      await open("table.libraries");
    });
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

  it("the window never leaves the app's origin", { timeout: STEP_TIMEOUT }, async () => {
    const origin = await browser.execute(() => location.origin);
    // A marker on this document: any navigation, even one that fails offline, replaces it.
    await browser.execute(() => {
      window.__stayed = "here";
    });
    const attempts = [
      () => browser.execute(() => { location.href = "https://example.com/"; }),
      () =>
        browser.execute(() => {
          const a = document.createElement("a");
          a.href = "http://127.0.0.1:9/elsewhere";
          a.id = "e2e-away-link";
          document.body.append(a);
          a.click();
        }),
      () => browser.execute(() => { location.assign("file:///etc/hostname"); }),
    ];
    for (const attempt of attempts) {
      await attempt();
      // A refused navigation leaves nothing to wait for; give an accepted one time to start.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await browser.execute(() => location.origin), origin);
      assert.equal(await browser.execute(() => window.__stayed), "here", "the app's document is still the one shown");
    }
    await browser.execute(() => document.getElementById("e2e-away-link")?.remove());
    assert.equal((await browser.getWindowHandles()).length, 1);
  });

  it("a second launch brings the running window forward and exits", { timeout: STEP_TIMEOUT }, async () => {
    const second = spawn(APP, [], { env: appEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    second.stdout.on("data", (d) => (output += d));
    second.stderr.on("data", (d) => (output += d));
    const code = await new Promise((resolve) => second.on("exit", resolve));
    assert.equal(code, 0, output);
    assert.match(output, /DrugChatter is already running; its window was brought to the front\./);
    // The first window is still the app, and still answers.
    assert.equal(await phase(browser), "ready");
    assert.equal((await browser.getWindowHandles()).length, 1);
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
    await (await browser.$('.views-nav button[data-view="ask"]')).click();
    const items = await browser.$$(".history-item");
    assert.ok(items.length >= 6, `history has ${items.length} questions`);
    await screenshot(browser, "ask-dark-history");
  });
});
