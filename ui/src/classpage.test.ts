import { describe, expect, it, vi } from "vitest";
import { classQuestions, headingCase, renderClassPage, sharedByText, type ClassPageHandlers } from "./classpage";
import { drugList } from "./fixtures/answer";
import type { ClassPage, MemberLine } from "./types";

function line(drug: string, text: string, start: number): MemberLine {
  return { drug, drug_slug: drug.toLowerCase(), library: "bundled", section: "Drug Interactions", span: { start, end: start + 200 }, text };
}

function acePage(): ClassPage {
  const [first] = drugList();
  const member = (slug: string, title: string, reviewed: boolean) => ({ ...first, slug, title, synonyms: [], reviewed });
  return {
    name: "ACE inhibitors",
    members: [member("lisinopril", "Lisinopril", true), member("ramipril", "Ramipril", false)],
    interactions: [
      {
        topic: "NSAIDs",
        lines: [
          line("Lisinopril", "NSAIDs (including COX-2 inhibitors): weaker blood-pressure effect and risk of kidney injury.", 100),
          line("Ramipril", "NSAIDs: reduced effect and kidney injury.", 900),
        ],
      },
    ],
    warnings: [
      {
        topic: null,
        lines: [
          line("Lisinopril", "Hereditary or idiopathic angioedema", 300),
          line("Ramipril", "History of angioedema with an ACE inhibitor, or hereditary or idiopathic angioedema.", 1200),
        ],
      },
    ],
  };
}

function handlers(): ClassPageHandlers & { [k: string]: ReturnType<typeof vi.fn> } {
  return { onBack: vi.fn(), onMember: vi.fn(), onCite: vi.fn(), onAsk: vi.fn() };
}

describe("renderClassPage", () => {
  it("lists the members, each opening its profile", () => {
    const h = handlers();
    const page = renderClassPage(acePage(), h);
    const members = [...page.querySelectorAll<HTMLButtonElement>(".class-member")];
    expect(members.map((m) => m.textContent)).toEqual(["Lisinopril", "Ramipril"]);
    members[1].click();
    expect(h.onMember).toHaveBeenCalledWith(expect.objectContaining({ slug: "ramipril" }));
  });

  it("shows each member's own line under a shared topic, cited in the order shown", () => {
    const h = handlers();
    const page = renderClassPage(acePage(), h);
    const topic = page.querySelector(".class-interactions .shared-topic")!;
    expect(topic.textContent).toBe("NSAIDs · 2 of 2 members");
    const lines = [...page.querySelectorAll(".member-line")].map((l) => l.textContent);
    expect(lines[0]).toBe("Lisinopril: NSAIDs (including COX-2 inhibitors): weaker blood-pressure effect and risk of kidney injury. [1]");
    expect(lines[3]).toMatch(/^Ramipril: History of angioedema.* \[4\]$/);
    const cites = [...page.querySelectorAll<HTMLButtonElement>(".cite")];
    expect(cites.map((c) => c.dataset.n)).toEqual(["1", "2", "3", "4"]);
    expect(cites[1].getAttribute("aria-label")).toBe("Source 2: Ramipril, Drug Interactions");
    cites[1].click();
    expect(h.onCite).toHaveBeenCalledWith(expect.objectContaining({ drug_slug: "ramipril", span: { start: 900, end: 1100 } }));
  });

  it("heads a warning group without a common label by how widely it is stated", () => {
    const page = renderClassPage(acePage(), handlers());
    expect(page.querySelector(".class-warnings .shared-topic")?.textContent).toBe("Stated by 2 of 2 members");
  });

  it("says when no two members state anything alike, and names members not checked against a label", () => {
    const empty = { ...acePage(), interactions: [], warnings: [] };
    const page = renderClassPage(empty, handlers());
    expect([...page.querySelectorAll(".class-facts .muted")].map((p) => p.textContent)).toHaveLength(2);
    expect(page.querySelector(".review-note")?.textContent).toBe("Not yet checked against an FDA label: Ramipril.");
  });

  it("offers questions that name the class, and goes back", () => {
    const h = handlers();
    const page = renderClassPage(acePage(), h);
    expect(classQuestions(acePage())).toContain("Can I take ACE inhibitors with NSAIDs?");
    page.querySelector<HTMLButtonElement>(".other-question")!.click();
    expect(h.onAsk).toHaveBeenCalledWith("What are the side effects of ACE inhibitors?");
    page.querySelector<HTMLButtonElement>(".back-button")!.click();
    expect(h.onBack).toHaveBeenCalled();
  });

  it("heads a class or topic with a capital, leaving abbreviations as written", () => {
    expect(headingCase("statins")).toBe("Statins");
    expect(headingCase("gemfibrozil")).toBe("Gemfibrozil");
    expect(headingCase("mTOR inhibitors")).toBe("mTOR inhibitors");
    expect(headingCase("NSAIDs")).toBe("NSAIDs");
    expect(headingCase("")).toBe("");
  });

  it("counts members in words", () => {
    expect(sharedByText(acePage().interactions[0], 1)).toBe("2 of 1 member");
    expect(sharedByText(acePage().interactions[0], 5)).toBe("2 of 5 members");
  });
});
