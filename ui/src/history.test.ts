import { describe, expect, it } from "vitest";
import { SessionHistory } from "./history";
import { abstention, imiquimodAnswer } from "./fixtures/answer";

describe("SessionHistory", () => {
  it("makes later questions follow-ups once an answer named a drug", () => {
    const h = new SessionHistory();
    expect(h.isFollowUp()).toBe(false);
    const first = h.add("What is zolmitriptan?");
    h.settle(first.id, { state: "done", answer: abstention() });
    expect(h.isFollowUp()).toBe(false);
    const second = h.add("How does imiquimod work?");
    expect(h.isFollowUp()).toBe(false); // still pending
    h.settle(second.id, { state: "done", answer: imiquimodAnswer() });
    expect(h.isFollowUp()).toBe(true);
  });

  it("a new conversation ends follow-ups but keeps the history", () => {
    const h = new SessionHistory();
    const e = h.add("How does imiquimod work?");
    h.settle(e.id, { state: "done", answer: imiquimodAnswer() });
    h.newConversation();
    expect(h.isFollowUp()).toBe(false);
    expect(h.current()).toHaveLength(0);
    expect(h.all()).toHaveLength(1);
    h.add("Aldara side effects");
    expect(h.all().map((x) => x.conversation)).toEqual([1, 2]);
  });

  it("does not open empty conversations", () => {
    const h = new SessionHistory();
    h.newConversation();
    h.newConversation();
    expect(h.conversation).toBe(1);
  });

  it("cancelled and failed questions are not follow-up context", () => {
    const h = new SessionHistory();
    const e = h.add("How does imiquimod work?");
    h.settle(e.id, { state: "cancelled" });
    expect(h.isFollowUp()).toBe(false);
    expect(h.get(e.id)?.state).toBe("cancelled");
  });
});
