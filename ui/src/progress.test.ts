import { describe, expect, it } from "vitest";
import { percentText, ProgressClock, remainingText } from "./progress";

const embedding = (done: number) => ({ task: "indexing", stage: "embedding", done, total: 4937 });

describe("progress in words", () => {
  it("gives the stage's percentage, never 100% before it is done", () => {
    expect(percentText(embedding(96))).toBe("1%");
    expect(percentText(embedding(2468))).toBe("49%");
    expect(percentText(embedding(4936))).toBe("99%");
    expect(percentText(embedding(4937))).toBe("100%");
    expect(percentText({ task: "indexing", stage: "scanning", done: 0, total: 0 })).toBeNull();
  });

  it("words the time left", () => {
    expect(remainingText(20_000)).toBe("less than a minute left");
    expect(remainingText(60_000)).toBe("about a minute left");
    expect(remainingText(200_000)).toBe("about 3 min left");
  });
});

describe("ProgressClock", () => {
  it("estimates the time left from the rate seen in the stage", () => {
    const clock = new ProgressClock();
    clock.sample(embedding(1000), 10_000);
    expect(clock.remainingMs(embedding(1000))).toBeNull();
    clock.sample(embedding(1500), 20_000);
    // 500 passages in 10 s; 3437 left.
    expect(clock.remainingMs(embedding(1500))).toBeCloseTo(68_740);
  });

  it("waits until time and progress have both moved", () => {
    const clock = new ProgressClock();
    clock.sample(embedding(10), 0);
    clock.sample(embedding(20), 1000);
    expect(clock.remainingMs(embedding(20))).toBeNull();
    clock.sample(embedding(20), 5000);
    expect(clock.remainingMs(embedding(20))).not.toBeNull();
  });

  it("times each stage from its own start", () => {
    const clock = new ProgressClock();
    clock.sample({ task: "indexing", stage: "parsing", done: 0, total: 276 }, 0);
    clock.sample({ task: "indexing", stage: "parsing", done: 276, total: 276 }, 4000);
    clock.sample(embedding(0), 4000);
    expect(clock.remainingMs(embedding(0))).toBeNull();
    clock.sample(embedding(100), 14_000);
    expect(clock.remainingMs(embedding(100))).toBeCloseTo((4837 * 10_000) / 100);
  });
});
