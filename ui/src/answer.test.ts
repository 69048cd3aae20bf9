import { describe, expect, it, vi } from "vitest";
import {
  DISCLAIMER,
  abstentionText,
  answerPlainText,
  coverageText,
  excerpt,
  metaText,
  noticeText,
  numberSources,
  renderAnswer,
  shownNotices,
  sourceFor,
  splitNotices,
  type AnswerHandlers,
} from "./answer";
import { abstention, imiquimodAnswer } from "./fixtures/answer";
import type { Answer } from "./types";

function handlers(): AnswerHandlers & { [k: string]: ReturnType<typeof vi.fn> } {
  return {
    onCite: vi.fn(),
    onCiteHover: vi.fn(),
    onCiteLeave: vi.fn(),
    onProfile: vi.fn(),
    onOtherQuestion: vi.fn(),
    onCopy: vi.fn(),
  };
}

describe("renderAnswer", () => {
  it("links each class the question named to its class page", () => {
    const answer = { ...imiquimodAnswer(), classes: ["statins"] };
    const h = handlers();
    const onClass = vi.fn();
    const link = renderAnswer(answer, { ...h, onClass }).querySelector<HTMLButtonElement>(".class-link")!;
    expect(link.textContent).toBe("See what statins share");
    link.click();
    expect(onClass).toHaveBeenCalledWith("statins");
    // A saved conversation's card, whose handlers open no class page, shows no dead link.
    expect(renderAnswer(answer, h).querySelector(".class-link")).toBeNull();
  });

  it("shows verified sentences with their [n] markers, in order", () => {
    const card = renderAnswer(imiquimodAnswer(), handlers());
    const sentences = [...card.querySelectorAll(".sentence")];
    expect(sentences).toHaveLength(2);
    expect(sentences[0].textContent).toBe("Imiquimod switches on the skin's innate immune system.\u00a0[1]");
    const marks = [...sentences[1].querySelectorAll<HTMLButtonElement>(".cite")].map((b) => b.textContent);
    expect(marks).toEqual(["[1]", "[2]"]);
    expect(card.dataset.state).toBe("done");
    expect(card.dataset.status).toBe("generated");
  });

  it("never shows dropped sentences", () => {
    const card = renderAnswer(imiquimodAnswer(), handlers());
    expect(card.textContent).not.toContain("It cures HPV.");
  });

  it("a marker opens its source on click and shows it on hover and focus", () => {
    const h = handlers();
    const card = renderAnswer(imiquimodAnswer(), h);
    const second = card.querySelectorAll<HTMLButtonElement>(".sentence")[1].querySelectorAll<HTMLButtonElement>(".cite")[1];
    second.click();
    expect(h.onCite).toHaveBeenCalledWith(expect.objectContaining({ n: 2, span: { start: 3600, end: 3867 } }));
    second.dispatchEvent(new MouseEvent("mouseenter"));
    expect(h.onCiteHover).toHaveBeenCalledWith(expect.objectContaining({ n: 2 }), second);
    second.dispatchEvent(new MouseEvent("mouseleave"));
    expect(h.onCiteLeave).toHaveBeenCalled();
    second.dispatchEvent(new FocusEvent("focus"));
    expect(h.onCiteHover).toHaveBeenCalledTimes(2);
    expect(second.getAttribute("aria-label")).toBe("Source 2: Imiquimod › How It Works. Open in the monograph.");
  });

  it("lists only the cited sources, numbered as cited", () => {
    const card = renderAnswer(imiquimodAnswer(), handlers());
    const items = [...card.querySelectorAll<HTMLLIElement>(".sources li")];
    expect(items.map((li) => li.dataset.n)).toEqual(["1", "2"]);
    expect(items[0].querySelector(".source-open")?.textContent).toBe("[1] Imiquimod › How It Works");
  });

  it("drops markers that point at no source", () => {
    const answer = imiquimodAnswer();
    answer.sentences[0].citations = [1, 9];
    const card = renderAnswer(answer, handlers());
    expect([...card.querySelectorAll(".cite")].map((b) => b.textContent)).toEqual(["[1]", "[1]", "[2]"]);
  });

  it("offers the profile and other questions, which call back", () => {
    const h = handlers();
    const card = renderAnswer(imiquimodAnswer(), h);
    const profile = card.querySelector<HTMLButtonElement>(".profile-link")!;
    expect(profile.textContent).toBe("See the profile for Imiquimod");
    profile.click();
    expect(h.onProfile).toHaveBeenCalledWith(expect.objectContaining({ drug_slug: "imiquimod", library: "bundled" }));
    expect(card.querySelector(".other-questions h3")?.textContent).toBe("Other questions about Imiquimod:");
    const other = card.querySelectorAll<HTMLButtonElement>(".other-question")[1];
    other.click();
    expect(h.onOtherQuestion).toHaveBeenCalledWith("How long does imiquimod take to work?");
  });

  it("does not suggest the question just asked", () => {
    const answer = imiquimodAnswer();
    answer.question = "How often do I apply imiquimod?";
    const card = renderAnswer(answer, handlers());
    expect([...card.querySelectorAll(".other-question")].map((b) => b.textContent)).toEqual(["How long does imiquimod take to work?"]);
  });

  it("puts the disclaimer at the top, as the seed page does, then emergency and banned notices", () => {
    const answer = imiquimodAnswer();
    answer.notices = [
      { kind: "emergency" },
      { kind: "banned", drug: "Ranitidine" },
      ...answer.notices,
    ];
    const card = renderAnswer(answer, handlers());
    const notices = [...card.querySelectorAll<HTMLElement>(".notice")];
    expect(notices.map((n) => n.className.replace("notice notice-", ""))).toEqual(["disclaimer", "emergency", "banned", "unverified"]);
    expect(notices[1].getAttribute("role")).toBe("alert");
    // The disclaimer follows the question at once; the emergency notice precedes the answer text.
    expect(card.children[1].className).toBe("notice notice-disclaimer");
    const body = card.querySelector(".answer-body")!;
    expect(notices[1].compareDocumentPosition(body) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("marks unverified sentences when they are shown", () => {
    const answer = imiquimodAnswer();
    answer.sentences.push({ text: "It is taken by mouth.", citations: [3], status: "unverified", reason: "not supported", support: 0.2, related: false });
    const card = renderAnswer(answer, handlers());
    const last = [...card.querySelectorAll<HTMLElement>(".sentence")].pop()!;
    expect(last.classList.contains("sentence-unverified")).toBe(true);
    expect(last.textContent).toContain("(unverified)");
    expect(last.title).toContain("not supported");
  });

  it("shows an abstention's message and no sources", () => {
    const card = renderAnswer(abstention(), handlers());
    expect(card.querySelector(".abstention")?.textContent).toContain("no monograph on zolmitriptan");
    expect(card.querySelector(".sources")).toBeNull();
    expect(card.dataset.status).toBe("abstained");
  });

  it("does not repeat the abstention's bold text in a notice below it", () => {
    const card = renderAnswer(abstention(), handlers());
    expect(card.querySelector(".notice-not_in_library")).toBeNull();
    expect(card.textContent?.match(/monograph on zolmitriptan/gi)).toHaveLength(1);
    // A name the answer does not abstain on keeps its notice.
    const partly = abstention();
    partly.notices = [{ kind: "not_in_library", names: ["zolmitriptan", "foo"] }, { kind: "disclaimer" }];
    expect(shownNotices(partly).map((n) => n.kind)).toEqual(["not_in_library", "disclaimer"]);
    const answered = imiquimodAnswer();
    answered.notices = [{ kind: "not_in_library", names: ["zolmitriptan"] }];
    expect(shownNotices(answered)).toHaveLength(1);
  });

  it("does not say 'Quoted from the library' under a notice that already says why", () => {
    const answer = imiquimodAnswer();
    answer.status = "extractive";
    answer.model = null;
    expect(renderAnswer(answer, handlers()).querySelector(".status-note")?.textContent).toBe("Quoted from the library.");
    answer.notices = [{ kind: "no_model" }, { kind: "disclaimer" }];
    expect(renderAnswer(answer, handlers()).querySelector(".status-note")).toBeNull();
  });

  it("says who wrote the answer as it is: never 'no model' while one is loaded", () => {
    const answer = abstention();
    answer.timings = { ...answer.timings, total_ms: 12, generated_tokens: 0, tokens_per_second: 0 };
    expect(metaText(answer, true)).toBe("model not needed · 12 ms");
    expect(metaText(answer, false)).toBe("no model loaded · 12 ms");
    const quoted = { ...imiquimodAnswer(), status: "extractive" as const, model: null };
    expect(metaText(quoted, true)).toBe("quoted without the model · 2.9 s");
    expect(metaText(imiquimodAnswer(), true)).toBe("SmolLM2-135M-Instruct.Q4_1.gguf · 2.9 s · 60 tokens at 20.6/s");
    const card = renderAnswer(answer, handlers(), { modelLoaded: true, namesOf: () => [] });
    expect(card.querySelector(".meta")?.textContent).not.toContain("no model");
    expect(card.querySelector(".meta")?.textContent).not.toContain("0.0 s");
  });

  it("numbers the sources as shown, with no gaps, and renumbers the citations to match", () => {
    const answer = imiquimodAnswer();
    // The engine numbered five passages; the answer cites [3] first, then [5] and [3].
    answer.sources = [answer.sources[0], answer.sources[2], answer.sources[1]].map((s, i) => ({ ...s, n: [1, 3, 5][i] }));
    answer.sentences[0].citations = [3];
    answer.sentences[1].citations = [5, 3];
    const card = renderAnswer(answer, handlers());
    expect([...card.querySelectorAll(".cite")].map((b) => b.textContent)).toEqual(["[1]", "[2]", "[1]"]);
    const items = [...card.querySelectorAll<HTMLLIElement>(".sources li")];
    expect(items.map((li) => li.querySelector(".source-open")?.textContent)).toEqual(["[1] Imiquimod › Usage", "[2] Imiquimod › How It Works"]);
    expect(items.map((li) => li.value)).toEqual([1, 2]);
    // The citation opens the passage it pointed at before renumbering.
    const h = handlers();
    renderAnswer(answer, h).querySelector<HTMLButtonElement>(".cite")!.click();
    expect(h.onCite).toHaveBeenCalledWith(expect.objectContaining({ n: 1, chunk_id: "imiquimod:usage:0" }));
    expect(numberSources(numberSources(answer))).toEqual(numberSources(answer));
    expect(answerPlainText(answer)).toContain("[1] Imiquimod › Usage (bundled");
    expect(answerPlainText(answer)).not.toContain("[3]");
  });

  it("offers at most six other questions, each naming its drug", () => {
    const answer = imiquimodAnswer();
    answer.question = "What are the side effects of ibuprofen?";
    answer.other_questions = [
      {
        drug_slug: "ibuprofen",
        title: "Ibuprofen",
        questions: [
          "What should I do if I take too much?",
          "What should I do if I miss a dose?",
          "How should I store it?",
          "Can I drink alcohol while taking ibuprofen?",
          ...Array.from({ length: 15 }, (_, i) => `Question ${i} about ibuprofen?`),
        ],
      },
    ];
    const chips = [...renderAnswer(answer, handlers()).querySelectorAll(".other-question")].map((c) => c.textContent);
    expect(chips).toHaveLength(6);
    expect(chips.slice(0, 4)).toEqual([
      "What should I do if I take too much ibuprofen?",
      "What should I do if I miss a dose of ibuprofen?",
      "How should I store ibuprofen?",
      "Can I drink alcohol while taking ibuprofen?",
    ]);
  });

  it("renders text as text, never as markup", () => {
    const answer = imiquimodAnswer();
    answer.sentences[0].text = '<img src=x onerror="alert(1)">';
    answer.question = "<script>alert(1)</script>";
    const card = renderAnswer(answer, handlers());
    expect(card.querySelector("img")).toBeNull();
    expect(card.querySelector("script")).toBeNull();
    expect(card.textContent).toContain('<img src=x onerror="alert(1)">');
  });
});

describe("coverage and clarification", () => {
  it("says what the library lacks first, apart from the related facts", () => {
    const answer = imiquimodAnswer();
    answer.coverage = { kind: "not_covered", drugs: ["Imiquimod"], asked: ["hair", "loss"] };
    answer.sentences = answer.sentences.map((s) => ({ ...s, related: true }));
    const card = renderAnswer(answer, handlers());
    const missing = card.querySelector(".not-covered")!;
    expect(missing.textContent).toBe("The library's monograph on Imiquimod does not mention hair loss.");
    const related = card.querySelector(".related-facts")!;
    expect(related.querySelector(".related-label")?.textContent).toContain("Related");
    expect(missing.compareDocumentPosition(related) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(missing.contains(related)).toBe(false);
  });

  it("says when neither monograph links two drugs", () => {
    expect(coverageText({ kind: "pair_not_linked", first: "Amoxicillin", second: "Cetirizine" }, "interaction")).toMatch(
      /^Neither monograph lists an interaction between Amoxicillin and Cetirizine\./,
    );
    expect(coverageText({ kind: "covered" }, "dose")).toBeNull();
  });

  it("offers the medicines a shared name may mean, each asking the question of it", () => {
    const answer = imiquimodAnswer();
    answer.question = "how do I inject insulin";
    answer.status = "clarification";
    answer.sentences = [];
    answer.clarification = {
      matched: "insulin",
      name: "insulins",
      candidates: [
        { slug: "insulin-glargine", title: "Insulin Glargine", library: "bundled" },
        { slug: "insulin-lispro", title: "Insulin Lispro", library: "bundled" },
      ],
    };
    const h = handlers();
    const card = renderAnswer(answer, h);
    const choices = [...card.querySelectorAll<HTMLButtonElement>(".clarification-choice")];
    expect(choices.map((c) => c.textContent)).toEqual(["Insulin Glargine", "Insulin Lispro"]);
    choices[0].click();
    expect(h.onOtherQuestion).toHaveBeenCalledWith("how do I inject Insulin Glargine");
  });
});

describe("answerPlainText", () => {
  it("keeps the citations and lists the cited sources with their spans", () => {
    const text = answerPlainText(imiquimodAnswer());
    expect(text).toContain("Q: How does imiquimod work?");
    expect(text).toContain("Imiquimod switches on the skin's innate immune system. [1] It is an agonist at toll-like receptor 7 (TLR7). [1][2]");
    expect(text).toContain("[1] Imiquimod › How It Works (bundled: imiquimod.md, bytes 3084–3600)");
    expect(text).toContain("[2] Imiquimod › How It Works (bundled: imiquimod.md, bytes 3600–3867)");
    expect(text).not.toContain("[3]");
    expect(text.trimEnd().endsWith(DISCLAIMER)).toBe(true);
  });

  it("copies an abstention as its message", () => {
    const text = answerPlainText(abstention());
    expect(text).toContain("no monograph on zolmitriptan");
    // Said once: the abstention already says there is no monograph.
    expect(text).not.toContain("Note: No monograph on zolmitriptan.");
  });
});

describe("helpers", () => {
  it("finds sources by number", () => {
    const answer: Answer = imiquimodAnswer();
    expect(sourceFor(answer, 2)?.chunk_id).toBe("imiquimod:how-it-works:1");
    expect(sourceFor(answer, 7)).toBeUndefined();
  });

  it("splits notices", () => {
    const { preview, top, inline } = splitNotices([
      { kind: "disclaimer" },
      { kind: "no_model" },
      { kind: "emergency" },
    ]);
    expect(top.map((n) => n.kind)).toEqual(["emergency"]);
    expect(inline.map((n) => n.kind)).toEqual(["no_model"]);
    expect(preview.map((n) => n.kind)).toEqual(["disclaimer"]);
  });

  it("words notices with proper plurals", () => {
    expect(noticeText({ kind: "unverified", count: 1 })).toMatch(/^1 sentence the model wrote .* is not shown\.$/);
    expect(noticeText({ kind: "unverified", count: 2 })).toMatch(/^2 sentences the model wrote .* are not shown\.$/);
    expect(noticeText({ kind: "banned", drug: "Ranitidine" })).toContain("Ranitidine is flagged as banned");
    expect(noticeText({ kind: "not_in_library", names: [] })).toBe("No monograph on the medicine you asked about.");
  });

  it("words an abstention by its kind", () => {
    expect(abstentionText({ kind: "no_monograph", names: ["zolmitriptan", "foo"] })).toContain("no monograph on zolmitriptan, foo");
    expect(abstentionText({ kind: "nothing_relevant" })).toContain("do not answer this question");
  });

  it("cuts excerpts at a word", () => {
    expect(excerpt("short text")).toBe("short text");
    const long = "word ".repeat(100);
    const cut = excerpt(long, 50);
    expect(cut.length).toBeLessThanOrEqual(51);
    expect(cut.endsWith("word…")).toBe(true);
  });

});
