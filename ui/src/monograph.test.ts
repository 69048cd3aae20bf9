import { describe, expect, it, vi } from "vitest";
import { blocksForSpan, checkedAgainstText, currentSectionIndex, markCurrentSection, overlaps, renderMonograph, sectionDomId, sectionForSpan } from "./monograph";
import { imiquimodMonograph } from "./fixtures/answer";

describe("span overlap", () => {
  it("treats spans as half-open", () => {
    expect(overlaps({ start: 0, end: 10 }, { start: 9, end: 20 })).toBe(true);
    expect(overlaps({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(false);
    expect(overlaps({ start: 5, end: 6 }, { start: 0, end: 100 })).toBe(true);
    expect(overlaps({ start: 20, end: 30 }, { start: 0, end: 20 })).toBe(false);
  });
});

describe("blocksForSpan", () => {
  const view = imiquimodMonograph();

  it("selects every block a citation covers", () => {
    const blocks = blocksForSpan(view, { start: 3084, end: 3600 });
    expect(blocks.map((b) => b.text)).toEqual([
      "Pharmacodynamics: Imiquimod has no direct antiviral action.",
      "Receptor Binding: agonist at TLR7.",
    ]);
  });

  it("selects a single block for a passage inside it", () => {
    expect(blocksForSpan(view, { start: 3700, end: 3710 }).map((b) => b.span.start)).toEqual([3602]);
  });

  it("finds blocks in sub-sections", () => {
    expect(blocksForSpan(view, { start: 3950, end: 4100 }).map((b) => b.text)).toEqual(["Apply a thin layer at bedtime."]);
  });

  it("selects nothing for a span outside every block", () => {
    expect(blocksForSpan(view, { start: 9000, end: 9100 })).toEqual([]);
  });

  it("names the deepest section holding the span", () => {
    expect(sectionForSpan(view, { start: 3950, end: 4100 })?.map((s) => s.heading)).toEqual(["Dosage", "Standard Dosage"]);
    expect(sectionForSpan(view, { start: 3084, end: 3600 })?.map((s) => s.heading)).toEqual(["How It Works"]);
    expect(sectionForSpan(view, { start: 1, end: 2 })).toBeNull();
  });
});

describe("renderMonograph", () => {
  it("highlights the cited blocks and returns the first as the scroll target", () => {
    const { el, target } = renderMonograph(imiquimodMonograph(), { start: 3084, end: 3600 }, { onBack: vi.fn(), onAsk: vi.fn() });
    const marked = [...el.querySelectorAll(".block.highlight")].map((b) => b.textContent);
    expect(marked).toHaveLength(2);
    expect(target?.textContent).toBe("Pharmacodynamics: Imiquimod has no direct antiviral action.");
    expect(target?.getAttribute("tabindex")).toBe("-1");
    expect(target?.closest("section")?.id).toBe(sectionDomId("how-it-works"));
    expect(el.querySelector(".cited-where")?.textContent).toBe("Cited passage: How It Works");
  });

  it("shows every section, the synonyms and the FAQ questions as questions to ask", () => {
    const onAsk = vi.fn();
    const { el, target } = renderMonograph(imiquimodMonograph(), null, { onBack: vi.fn(), onAsk });
    expect(target).toBeNull();
    expect(el.querySelectorAll(".toc li")).toHaveLength(4); // 3 sections + FAQs
    expect(el.querySelector(".synonyms")?.textContent).toBe("Also known as: Aldara, Zyclara");
    expect(el.querySelector(`#${sectionDomId("dosage/standard-dosage")}`)).not.toBeNull();
    el.querySelector<HTMLButtonElement>(".other-question")!.click();
    expect(onAsk).toHaveBeenCalledWith("How often do I apply imiquimod?");
  });

  it("keeps at most six other-question chips on the profile, each naming its drug", () => {
    const onAsk = vi.fn();
    const view = imiquimodMonograph();
    view.faqs = [
      { question: "What should I do if I take too much?", answer: "a" },
      { question: "What if I miss a dose?", answer: "a" },
      { question: "How should I store it?", answer: "a" },
      { question: "Is Aldara safe in pregnancy?", answer: "a" },
      ...["one", "two", "three", "four"].map((n) => ({ question: `Does imiquimod help ${n}?`, answer: "a" })),
    ];
    const { el } = renderMonograph(view, null, { onBack: vi.fn(), onAsk });
    const chips = [...el.querySelectorAll<HTMLButtonElement>(".other-question")];
    expect(chips.map((c) => c.textContent)).toEqual([
      "What should I do if I take too much imiquimod?",
      "What if I miss a dose of imiquimod?",
      "How should I store imiquimod?",
      "Is Aldara safe in pregnancy?",
      "Does imiquimod help one?",
      "Does imiquimod help two?",
    ]);
    chips[0].click();
    expect(onAsk).toHaveBeenCalledWith("What should I do if I take too much imiquimod?");
    // The FAQs section above still holds every question.
    expect(el.querySelectorAll(".faq")).toHaveLength(8);
  });

  it("shows an imported label's provenance", () => {
    const view = imiquimodMonograph();
    view.library = "fda";
    view.labels = [{ set_id: "abc-123", version: "7", effective_date: "2024-01-02", source_file: "aldara.xml", title: "ALDARA cream" }];
    const { el } = renderMonograph(view, null, { onBack: vi.fn(), onAsk: vi.fn() });
    const row = el.querySelector(".labels tbody tr")!;
    expect([...row.querySelectorAll("td")].map((td) => td.textContent)).toEqual(["ALDARA cream", "abc-123", "7", "2024-01-02", "aldara.xml"]);
    expect(el.querySelector(".provenance")?.textContent).toContain("Imported library “fda”");
  });

  it("says plainly when a bundled monograph was not checked against an FDA label", () => {
    const view = imiquimodMonograph();
    view.reviewed = false;
    view.checked_against = [];
    const { el } = renderMonograph(view, null, { onBack: vi.fn(), onAsk: vi.fn() });
    expect(el.querySelector(".review-state")?.textContent).toBe("Not yet checked against an FDA label.");
  });

  it("names the labels a reviewed monograph was checked against", () => {
    const { el } = renderMonograph(imiquimodMonograph(), null, { onBack: vi.fn(), onAsk: vi.fn() });
    expect(el.querySelector(".review-state")?.textContent).toBe("Checked against: openFDA label 0a1b2c3d-aldara, PDF label imiquimod_label.pdf.");
    expect(el.textContent).not.toContain("Not yet checked");
  });

  it("shows no review state for an imported label document", () => {
    const view = imiquimodMonograph();
    view.library = "fda";
    view.reviewed = false;
    view.labels = [{ set_id: "abc-123", version: "7", effective_date: "2024-01-02", source_file: "aldara.xml", title: "ALDARA cream" }];
    const { el } = renderMonograph(view, null, { onBack: vi.fn(), onAsk: vi.fn() });
    expect(el.querySelector(".review-state")).toBeNull();
  });
});

describe("checkedAgainstText", () => {
  it("words each source prefix and keeps an unknown entry as it is", () => {
    expect(checkedAgainstText(["spl:warfarin.xml", "odd-entry"])).toBe("SPL file warfarin.xml, odd-entry");
  });
});

describe("the section list follows the reader", () => {
  it("takes the last section whose top has reached the reading line", () => {
    expect(currentSectionIndex([60, 400, 900], 100)).toBe(0);
    expect(currentSectionIndex([-300, 90, 900], 100)).toBe(1);
    expect(currentSectionIndex([-900, -400, -20], 100)).toBe(2);
    expect(currentSectionIndex([300, 600], 100)).toBe(0);
    // Scrolled to the end, the last section is the reader's even if its top cannot reach the line.
    expect(currentSectionIndex([-900, -400, 300], 100, true)).toBe(2);
  });

  it("marks one link as the reader's place, starting at the cited section", () => {
    const { el } = renderMonograph(imiquimodMonograph(), { start: 3084, end: 3600 }, { onBack: vi.fn(), onAsk: vi.fn() });
    const toc = el.querySelector<HTMLElement>(".toc")!;
    const current = () => [...toc.querySelectorAll("a.current")].map((a) => a.textContent);
    expect(current()).toEqual(["How It Works"]);
    markCurrentSection(toc, 0);
    expect(current()).toEqual(["Usage"]);
    expect(toc.querySelectorAll('[aria-current="location"]')).toHaveLength(1);
  });
});
