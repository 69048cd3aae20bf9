import { describe, expect, it, vi } from "vitest";
import { renderAnswer, type AnswerHandlers } from "./answer";
import { imiquimodAnswer } from "./fixtures/answer";
import { renderPending, renderStopped, settleCard, WRITING } from "./pending";

const DRAFT = "A: Yes. Food does not affect absorption";

function handlers(): AnswerHandlers {
  return { onCite: vi.fn(), onCiteHover: vi.fn(), onCiteLeave: vi.fn(), onProfile: vi.fn(), onOtherQuestion: vi.fn(), onCopy: vi.fn() };
}

function streamed(showDraft: boolean) {
  const pending = renderPending("Can I take ibuprofen with lisinopril?", { showDraft });
  document.body.append(pending.card);
  pending.onEvent({ event: "started" });
  pending.onEvent({ event: "draft", text: "A: Yes." });
  pending.onEvent({ event: "draft", text: " Food does not affect absorption" });
  return pending;
}

describe("the card while an answer is written", () => {
  it("does not show the unverified draft, only that the answer is being written and checked", () => {
    const { card } = streamed(false);
    expect(card.textContent).not.toContain("Yes");
    expect(card.querySelector(".draft")).toBeNull();
    expect(card.querySelector(".progress-state")?.textContent).toBe(WRITING);
    expect(card.dataset.drafting).toBe("true");
    expect(card.dataset.state).toBe("pending");
  });

  it("shows each sentence the engine reports verified, in the live region, and never the draft", () => {
    const pending = streamed(false);
    const sentence = {
      text: "Ibuprofen with ACE inhibitors: reduced blood pressure effect and kidney risk.",
      citations: [1],
      status: "verified" as const,
      reason: null,
      support: 0.9,
      related: false,
    };
    pending.onEvent({ event: "verified", sentence });
    const shown = pending.body.querySelectorAll(".verified-sentence");
    expect([...shown].map((p) => p.textContent)).toEqual([sentence.text]);
    expect(pending.card.textContent).not.toContain("Yes");
  });

  it("shows the draft, labelled unverified, when the setting asks for it", () => {
    const { card } = streamed(true);
    expect(card.querySelector(".draft-text")?.textContent).toBe(DRAFT);
    expect(card.querySelector(".draft-label")?.textContent).toMatch(/^Unverified draft/);
    // The draft is apart from the live region that announces the verified answer.
    expect(card.querySelector(".answer-body")?.contains(card.querySelector(".draft"))).toBe(false);
  });

  it("has no Stop button of its own: the form's Stop is the only one", () => {
    const { card } = streamed(false);
    expect(card.querySelectorAll("button")).toHaveLength(0);
  });
});

describe("settling the card", () => {
  it("fills the card in place, its live region staying the same element", () => {
    const pending = streamed(true);
    pending.card.id = "entry-1";
    const { card, body } = pending;
    const settled = settleCard(pending, renderAnswer(imiquimodAnswer(), handlers()));
    expect(settled).toBe(card);
    expect(card.id).toBe("entry-1");
    expect(card.dataset.state).toBe("done");
    expect(card.hasAttribute("aria-busy")).toBe(false);
    expect(card.querySelector(".answer-body")).toBe(body);
    expect(body.getAttribute("aria-live")).toBe("polite");
    expect(body.isConnected).toBe(true);
    expect(body.textContent).toContain("Imiquimod switches on the skin's innate immune system.");
    expect(card.textContent).not.toContain(DRAFT);
    // The parts around the body keep their order and their handlers.
    expect([...card.children].map((c) => c.className)).toEqual([
      "question",
      "notice notice-disclaimer",
      "profiles",
      "answer-body answer-generated",
      "notice notice-unverified",
      "sources",
      "other-questions",
      "answer-actions",
    ]);
  });

  it("settles a stopped answer the same way", () => {
    const pending = streamed(false);
    settleCard(pending, renderStopped("q", "Stopped.", "cancelled"));
    expect(pending.card.dataset.state).toBe("cancelled");
    expect(pending.body.textContent).toBe("Stopped.");
    expect(pending.card.querySelector(".answer-body")).toBe(pending.body);
  });
});
