// App cold start: launches the app RUNS times (a new process each time, the index already
// on disk), and measures from launch to the window, to ready (index loaded, model loaded)
// and to the first answer of "How does imiquimod work?". Run by scripts/bench-app.sh,
// which builds the release app and sets DRUGCHATTER_APP. Prints one JSON line per run and
// the medians; writes target/e2e-screenshots/cold-start.json.

import { ask, closeApp, openApp, phase, startDriver, waitSettled, writeJson } from "../lib/harness.mjs";

const RUNS = Number(process.env.RUNS ?? 3);
const QUESTION = "How does imiquimod work?";

const runs = [];
for (let i = 0; i < RUNS; i += 1) {
  await startDriver({ prefix: "bench-" });
  const launched = Date.now();
  const browser = await openApp();
  try {
    const window_ms = Date.now() - launched;
    await browser.waitUntil(async () => ["ready", "failed"].includes(await phase(browser)), { timeout: 30 * 60_000, interval: 50 });
    const ready_ms = Date.now() - launched;
    const startup = JSON.parse((await (await browser.$("body")).getAttribute("data-timings")) ?? "{}");
    const asked = Date.now();
    await ask(browser, QUESTION);
    const card = await waitSettled(browser, QUESTION);
    const answered = Date.now();
    const run = {
      window_ms,
      ready_ms,
      first_answer_ms: answered - asked,
      launch_to_first_answer_ms: answered - launched,
      status: await card.getAttribute("data-status"),
      app: startup,
    };
    runs.push(run);
    console.log(JSON.stringify(run));
  } finally {
    await closeApp(browser);
  }
}

const median = (key) => {
  const values = runs.map((r) => r[key]).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
};
const summary = Object.fromEntries(["window_ms", "ready_ms", "first_answer_ms", "launch_to_first_answer_ms"].map((k) => [k, median(k)]));
console.log(`median of ${runs.length}: ${JSON.stringify(summary)}`);
writeJson("cold-start.json", { runs, median: summary });
