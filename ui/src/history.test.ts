import { describe, expect, it } from "vitest";
import { newConversationKey, SessionHistory } from "./history";
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

describe("SessionHistory keys and deletion", () => {
  it("gives each conversation one key, and finds the conversation by it", () => {
    let n = 0;
    const h = new SessionHistory(() => `k${++n}`);
    expect(h.keyOf()).toBe("k1");
    expect(h.keyOf()).toBe("k1");
    h.add("q");
    h.newConversation();
    expect(h.keyOf()).toBe("k2");
    expect(h.conversationWithKey("k1")).toBe(1);
    expect(h.conversationWithKey("nope")).toBeUndefined();
  });

  it("removes one conversation or all, starting a new one when the current goes", () => {
    const h = new SessionHistory();
    h.add("a");
    h.newConversation();
    h.add("b");
    expect(h.removeConversation(1).map((e) => e.question)).toEqual(["a"]);
    expect(h.conversation).toBe(2);
    expect(h.removeConversation(2).map((e) => e.question)).toEqual(["b"]);
    expect(h.conversation).toBe(3);
    h.add("c");
    expect(h.clear().map((e) => e.question)).toEqual(["c"]);
    expect(h.all()).toHaveLength(0);
    expect(h.isFollowUp()).toBe(false);
  });

  it("makes keys the shell accepts as conversation ids", () => {
    for (let i = 0; i < 20; i++) expect(newConversationKey()).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(newConversationKey()).not.toBe(newConversationKey());
  });
});
