// Progress of long work (the first index build, an import) in words: the percentage of the
// current stage and the time left, estimated from the rate seen so far in that stage.

import type { ProgressInfo } from "./types";

/** "42%", or null when the stage has no count. Never 100% before the stage is done. */
export function percentText(p: ProgressInfo): string | null {
  if (!p.total) return null;
  const percent = Math.floor((100 * Math.min(p.done, p.total)) / p.total);
  return `${percent}%`;
}

/** "about 3 min left", "about a minute left", "less than a minute left". */
export function remainingText(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 45) return "less than a minute left";
  if (seconds < 90) return "about a minute left";
  return `about ${Math.round(seconds / 60)} min left`;
}

/** Before an estimate can be made: too little of the stage has been seen. */
export const ESTIMATING = "estimating the time left…";

/** Time and progress must both have moved this much before the rate is trusted. */
const MIN_ELAPSED_MS = 3000;

/**
 * Estimates the time left of a stage from progress samples. Each stage (task, stage name
 * and total) is timed from its own first sample, so a fast scan does not make the
 * embedding look quick. The clock is passed in, which keeps this testable without timers.
 */
export class ProgressClock {
  private key = "";
  private startMs = 0;
  private startDone = 0;
  private lastDone = 0;
  private lastMs = 0;

  sample(p: ProgressInfo, nowMs: number): void {
    const key = `${p.task}/${p.stage}/${p.total}`;
    if (key !== this.key || p.done < this.lastDone) {
      this.key = key;
      this.startMs = nowMs;
      this.startDone = p.done;
    }
    this.lastDone = p.done;
    this.lastMs = nowMs;
  }

  /** Milliseconds left in the sampled stage, or null until it can be estimated. */
  remainingMs(p: ProgressInfo): number | null {
    if (!p.total || `${p.task}/${p.stage}/${p.total}` !== this.key) return null;
    const elapsed = this.lastMs - this.startMs;
    const progressed = this.lastDone - this.startDone;
    if (elapsed < MIN_ELAPSED_MS || progressed <= 0) return null;
    return ((p.total - p.done) * elapsed) / progressed;
  }
}
