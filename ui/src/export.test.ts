import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { DISCLAIMER } from "./answer";
import { answerToMarkdown, conversationToMarkdown, exportedSources, markdownText, printEntries, renderPrintable, type ExportEntry } from "./export";
import { abstention, imiquimodAnswer } from "./fixtures/answer";
import type { Answer } from "./types";

const done = (answer: Answer): ExportEntry => ({ question: answer.question, state: "done", answer });

/** The imiquimod answer citing sources 3 and 1 only, so the numbers must close up. */
function gappedAnswer(): Answer {
  const answer = imiquimodAnswer();
  answer.sentences = [
    { ...answer.sentences[0], text: "Imiquimod is a topical cream.", citations: [3] },
    { ...answer.sentences[1], text: "It switches on the innate immune system.", citations: [1, 3, 9] },
  ];
  return answer;
}

describe("exportedSources", () => {
  it("numbers the cited sources 1, 2… in the order first cited, and renumbers the markers", () => {
    const { sources, sentences } = exportedSources(gappedAnswer());
    expect(sources.map((s) => [s.n, s.label])).toEqual([
      [1, "Imiquimod › Usage"],
      [2, "Imiquimod › How It Works"],
    ]);
    expect(sentences.map((s) => s.marks)).toEqual([[1], [2, 1]]);
    expect(sources[1].text).toContain("switches on the skin's innate immune system");
  });
});

describe("answerToMarkdown", () => {
  it("writes the question, the sentences with [n], each source with its drug, section and whole passage, and the disclaimer", () => {
    const md = answerToMarkdown(done(gappedAnswer()));
    expect(md.startsWith("# How does imiquimod work?\n")).toBe(true);
    expect(md).toContain(DISCLAIMER);
    expect(md).toContain("Imiquimod is a topical cream. [1] It switches on the innate immune system. [2][1]");
    const sources = md.slice(md.indexOf("## Sources"));
    expect(sources.indexOf("[1] **Imiquimod › Usage** (bundled: imiquimod.md)")).toBeGreaterThan(0);
    expect(sources.indexOf("[2] **Imiquimod › How It Works**")).toBeGreaterThan(sources.indexOf("[1]"));
    expect(sources).not.toContain("[3]");
    expect(sources).toContain("> Pharmacodynamics: Imiquimod has no direct antiviral or cell-killing action. It switches on the skin's innate immune system, which then attacks infected or abnormal cells.");
    expect(md).not.toContain("Receptor Binding"); // source 2 is not cited
    expect(md.endsWith("\n")).toBe(true);
  });

  it("marks unverified sentences and keeps notices, coverage and abstentions in words", () => {
    const answer = imiquimodAnswer();
    answer.sentences[1] = { ...answer.sentences[1], status: "unverified" };
    answer.notices = [{ kind: "emergency" }, ...answer.notices];
    answer.coverage = { kind: "not_covered", drugs: ["Imiquimod"], asked: ["price"] };
    const md = answerToMarkdown(done(answer));
    expect(md).toContain("(TLR7). [1][2] *(unverified)*");
    expect(md).toMatch(/> \*\*Emergency: If this is an emergency/);
    expect(md).toContain("*The library's monograph on Imiquimod does not mention price.*");
    expect(md).toContain("Related, from the library: Imiquimod switches on");
    expect(md).toContain("Note: 1 sentence the model wrote could not be checked");
    const none = answerToMarkdown(done(abstention()));
    expect(none).toContain("This library has no monograph on zolmitriptan");
    expect(none).not.toContain("Sources");
  });

  it("lets no passage or question text become Markdown markup", () => {
    expect(markdownText("# [click](x) <b>*bold*</b>_")).toBe("\\# \\[click\\](x) \\<b\\>\\*bold\\*\\</b\\>\\_");
    expect(markdownText("1. first\n\n- line")).toBe("\\1. first - line");
    const answer = imiquimodAnswer();
    answer.sources[0].text = "Line one\n\n# Heading\n> quote";
    const md = answerToMarkdown({ question: "q", state: "done", answer });
    // Whitespace is folded, so no line of a passage can start a heading or a quote.
    expect(md).toContain("> Line one # Heading \\> quote");
  });
});

describe("conversationToMarkdown", () => {
  it("gives every question in turn with its own numbered sources, stops and errors in words", () => {
    const md = conversationToMarkdown(
      [
        done(imiquimodAnswer()),
        { question: "Aldara dose?", state: "cancelled" },
        { question: "x", state: "error", error: "The library is still being indexed" },
        done(gappedAnswer()),
      ],
      "2026-12-04 23:40",
    );
    expect(md.startsWith("# DrugChatter conversation\n\n*2026-12-04 23:40*\n")).toBe(true);
    expect(md.split(DISCLAIMER)).toHaveLength(2);
    expect(md.match(/^## .*$/gm)).toEqual(["## How does imiquimod work?", "## Aldara dose?", "## x", "## How does imiquimod work?"]);
    expect(md.match(/^### Sources$/gm)).toHaveLength(2);
    expect(md).toContain("Stopped before the answer was checked against the sources.");
    expect(md).toContain("Not answered: The library is still being indexed");
    // Each answer numbers its own sources from 1.
    expect(md.match(/^\[1\] \*\*/gm)).toHaveLength(2);
  });
});

describe("print", () => {
  it("renders every answer with its sources and passages for the print dialog", () => {
    const page = renderPrintable([done(gappedAnswer()), done(abstention())], "DrugChatter conversation");
    expect(page.querySelector("h1")?.textContent).toBe("DrugChatter conversation");
    expect(page.querySelector(".print-disclaimer")?.textContent).toContain(DISCLAIMER);
    expect([...page.querySelectorAll("h2")].map((e) => e.textContent)).toEqual(["How does imiquimod work?", "What is zolmitriptan used for?"]);
    const items = [...page.querySelectorAll(".print-sources li")];
    expect(items.map((li) => li.getAttribute("value"))).toEqual(["1", "2"]);
    expect(items[0].querySelector("blockquote")?.textContent).toBe("Imiquimod is a topical cream prescribed for three skin conditions.");
    expect(page.querySelector(".print-sentences")?.textContent).toBe("Imiquimod is a topical cream. [1] It switches on the innate immune system. [2][1]");
    expect(page.querySelectorAll(".print-message")).toHaveLength(1);
  });

  it("puts the page in #print-root, marks the body while the dialog is open, and opens it", () => {
    const seen: string[] = [];
    const print = vi.fn(() => void seen.push(`${document.body.dataset.printing}: ${document.getElementById("print-root")?.textContent}`));
    window.print = print;
    printEntries([done(gappedAnswer())], "DrugChatter answer");
    expect(print).toHaveBeenCalledOnce();
    expect(seen[0]).toMatch(/^true: DrugChatter answer.*Imiquimod › Usage/);
    window.dispatchEvent(new Event("afterprint"));
    expect(document.body.dataset.printing).toBeUndefined();
    printEntries([done(abstention())], "DrugChatter answer");
    expect(document.querySelectorAll("#print-root")).toHaveLength(1);
    expect(document.getElementById("print-root")?.textContent).not.toContain("Imiquimod › Usage");
  });

  it("the print stylesheet prints only the page while printing from a button, and never the window's chrome", () => {
    const css = readFileSync(path.join(process.cwd(), "src", "print.css"), "utf8");
    const print = css.slice(css.indexOf("@media print"));
    expect(css.slice(0, css.indexOf("@media print"))).toMatch(/#print-root\s*{\s*display: none;/);
    expect(print).toMatch(/body\[data-printing\] > :not\(#print-root\)/);
    for (const chrome of [".topbar", ".history", ".ask-form", ".status-banner"]) expect(print).toContain(chrome);
    expect(print).toMatch(/body\[data-printing\] #print-root {\s*display: block;/);
  });
});
