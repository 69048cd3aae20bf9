import { describe, expect, it } from "vitest";
import { drugPhrase, namedQuestion, otherQuestionChips } from "./questions";

describe("naming the drug in a suggested question", () => {
  it("puts the name where the question leaves it out", () => {
    expect(namedQuestion("What should I do if I take too much?", "Ibuprofen")).toBe("What should I do if I take too much ibuprofen?");
    expect(namedQuestion("What should I do if I use too much?", "Triamcinolone")).toBe("What should I do if I use too much triamcinolone?");
    expect(namedQuestion("What should I do if I miss a dose?", "Acyclovir")).toBe("What should I do if I miss a dose of acyclovir?");
    expect(namedQuestion("What is the usual dose?", "Glucosamine")).toBe("What is the usual dose of glucosamine?");
    expect(namedQuestion("What if I receive an extra dose?", "Hepatitis B Vaccine")).toBe("What if I receive an extra dose of hepatitis B vaccine?");
    expect(namedQuestion("How should I store it?", "Polyethylene Glycol 3350")).toBe("How should I store polyethylene glycol 3350?");
    expect(namedQuestion("How long does it take to work?", "Cephalexin")).toBe("How long does cephalexin take to work?");
    expect(namedQuestion("Is it normal for my stools to turn black?", "Ferrous Sulfate")).toBe("Ferrous Sulfate: is it normal for my stools to turn black?");
  });

  it("leaves a question that names the drug, or one of its names, as it is", () => {
    expect(namedQuestion("How does imiquimod work?", "Imiquimod")).toBe("How does imiquimod work?");
    expect(namedQuestion("How do I use Latisse for eyelashes?", "Bimatoprost", ["Latisse", "Lumigan"])).toBe("How do I use Latisse for eyelashes?");
    expect(namedQuestion("Can I drink alcohol with vitamin C?", "Ascorbic Acid (Vitamin C)", ["vitamin C"])).toBe("Can I drink alcohol with vitamin C?");
  });

  it("writes a title as it reads inside a sentence", () => {
    expect(drugPhrase("Ibuprofen")).toBe("ibuprofen");
    expect(drugPhrase("Ascorbic Acid (Vitamin C)")).toBe("ascorbic acid (vitamin C)");
    expect(drugPhrase("COVID-19 mRNA Vaccine")).toBe("COVID-19 mRNA vaccine");
    expect(drugPhrase("DTaP Vaccine")).toBe("DTaP vaccine");
  });
});

describe("the other-question chips", () => {
  const many = (drug: string) => Array.from({ length: 19 }, (_, i) => `Question ${i} about ${drug}?`);

  it("keeps at most six over all the drugs, taken in turn from each", () => {
    const chips = otherQuestionChips("Can I take ibuprofen with lisinopril?", [
      { drug_slug: "ibuprofen", title: "Ibuprofen", questions: many("ibuprofen") },
      { drug_slug: "lisinopril", title: "Lisinopril", questions: many("lisinopril") },
    ]);
    expect(chips.map((c) => c.questions.length)).toEqual([3, 3]);
    expect(otherQuestionChips("x", [{ drug_slug: "a", title: "A", questions: many("aspirin") }])[0].questions).toHaveLength(6);
  });

  it("leaves out the question just asked, worded or not", () => {
    const chips = otherQuestionChips("What should I do if I take too much ibuprofen?", [
      { drug_slug: "ibuprofen", title: "Ibuprofen", questions: ["What should I do if I take too much?", "How should I store it?"] },
    ]);
    expect(chips[0].questions).toEqual(["How should I store ibuprofen?"]);
    expect(otherQuestionChips("How should I store it?", [{ drug_slug: "i", title: "Ibuprofen", questions: ["How should I store it?"] }])).toEqual([]);
  });
});
