// Exporting an answer, or a whole conversation, with its numbered sources and their
// passages: as Markdown (saved by the shell through a dialog opened in Rust) and as a
// printable page for the system print dialog (PDF). Both are drawn from one model of what
// an answer shows, so the file and the printout say the same.

import "./print.css";
import { abstentionText, coverageText, DISCLAIMER, noticeText, numberSources, sourceLabel, splitNotices } from "./answer";
import { h } from "./dom";
import type { Answer, AnswerSentence, Source } from "./types";

/** One question of a conversation, live (the session's) or saved (the shell's). */
export interface ExportEntry {
  question: string;
  state: "pending" | "done" | "cancelled" | "error";
  answer?: Answer | null;
  error?: string | null;
}

/** A sentence as exported: its text, its sources renumbered, whether it passed. */
interface ExportSentence {
  text: string;
  marks: number[];
  fact: boolean;
}

/** A source as exported: numbered in the order the answer first cites it. */
export interface ExportSource {
  n: number;
  label: string;
  /** Where it comes from: library, file, and the FDA label for imported text. */
  origin: string;
  text: string;
}

/** What an answer shows, in the order it shows it, with no markup. */
interface ExportAnswer {
  question: string;
  warnings: string[];
  coverage: string | null;
  sentences: ExportSentence[];
  /** Said instead of sentences: an abstention, a clarification, a stop or an error. */
  message: string | null;
  choices: string[];
  notes: string[];
  sources: ExportSource[];
}

function isFact(sentence: AnswerSentence): boolean {
  return sentence.status === "verified" || sentence.status === "quoted";
}

function origin(source: Source): string {
  const label = source.label ? `; FDA label ${source.label.set_id} v${source.label.version}, ${source.label.effective_date}` : "";
  return `${source.library}: ${source.source}${label}`;
}

/**
 * The sources the answer's sentences cite, numbered as the card numbers them
 * ([`numberSources`] of answer.ts: 1, 2, 3… in the order first cited), and each sentence's
 * citations in that numbering.
 */
export function exportedSources(original: Answer): { sources: ExportSource[]; sentences: ExportSentence[] } {
  const answer = numberSources(original);
  const sources = answer.sources.map((source) => ({
    n: source.n,
    label: sourceLabel(source),
    origin: origin(source),
    text: source.text.replace(/\s+/g, " ").trim(),
  }));
  const sentences = answer.sentences.map((sentence) => ({ text: sentence.text, marks: sentence.citations, fact: isFact(sentence) }));
  return { sources, sentences };
}

function model(entry: ExportEntry): ExportAnswer {
  const empty: ExportAnswer = { question: entry.question, warnings: [], coverage: null, sentences: [], message: null, choices: [], notes: [], sources: [] };
  const answer = entry.answer;
  if (entry.state !== "done" || !answer) {
    const message =
      entry.state === "cancelled"
        ? "Stopped before the answer was checked against the sources."
        : entry.state === "error"
          ? `Not answered: ${entry.error ?? "an error occurred"}`
          : "Not answered yet.";
    return { ...empty, message };
  }
  const { top, inline } = splitNotices(answer.notices);
  const { sources, sentences } = exportedSources(answer);
  const result: ExportAnswer = {
    ...empty,
    question: answer.question || entry.question,
    warnings: top.map((n) => `${n.kind === "emergency" ? "Emergency" : "Warning"}: ${noticeText(n)}`),
    coverage: coverageText(answer.coverage, answer.question_type),
    notes: inline.map(noticeText),
  };
  if (answer.clarification) {
    result.message = `“${answer.clarification.matched}” can mean several medicines in this library. Which one do you mean?`;
    result.choices = answer.clarification.candidates.map((c) => c.title);
  } else if (answer.sentences.length === 0) {
    result.message = abstentionText(answer.abstention);
  } else {
    result.sentences = sentences;
    result.sources = sources;
  }
  return result;
}

// ---- Markdown --------------------------------------------------------------------------

/** Text as Markdown shows it: nothing in a passage or a question becomes markup or a link. */
export function markdownText(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)
    .replace(/^([#>+-]|\d+[.)])/, (m) => `\\${m}`);
}

function sentenceMarkdown(sentence: ExportSentence): string {
  const marks = sentence.marks.map((n) => `[${n}]`).join("");
  return `${markdownText(sentence.text)}${marks ? ` ${marks}` : ""}${sentence.fact ? "" : " *(unverified)*"}`;
}

function answerMarkdown(a: ExportAnswer, level: number, afterHeading: string[] = []): string[] {
  const heading = "#".repeat(level);
  const lines = [`${heading} ${markdownText(a.question)}`, "", ...afterHeading];
  for (const warning of a.warnings) lines.push(`> **${markdownText(warning)}**`, "");
  if (a.coverage) lines.push(`*${markdownText(a.coverage)}*`, "");
  if (a.message) lines.push(markdownText(a.message), "");
  for (const choice of a.choices) lines.push(`- ${markdownText(choice)}`);
  if (a.choices.length) lines.push("");
  if (a.sentences.length) {
    const prefix = a.coverage ? "Related, from the library: " : "";
    lines.push(prefix + a.sentences.map(sentenceMarkdown).join(" "), "");
  }
  for (const note of a.notes) lines.push(`Note: ${markdownText(note)}`, "");
  if (a.sources.length) {
    lines.push(`${heading}# Sources`, "");
    for (const s of a.sources) {
      lines.push(`[${s.n}] **${markdownText(s.label)}** (${markdownText(s.origin)})`, "", `> ${markdownText(s.text)}`, "");
    }
  }
  return lines;
}

function disclaimerMarkdown(): string {
  return `> ${DISCLAIMER} It is not a substitute for advice from a doctor or pharmacist.`;
}

function finish(lines: string[]): string {
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return `${lines.join("\n")}\n`;
}

/** One answer as a Markdown document: the question, the answer with [n] markers, its sources. */
export function answerToMarkdown(entry: ExportEntry): string {
  return finish(answerMarkdown(model(entry), 1, [disclaimerMarkdown(), ""]));
}

/** A conversation as one Markdown document: each question in turn, each with its own sources. */
export function conversationToMarkdown(entries: readonly ExportEntry[], when: string | null = null): string {
  const lines = ["# DrugChatter conversation", ""];
  if (when) lines.push(`*${markdownText(when)}*`, "");
  lines.push(disclaimerMarkdown(), "");
  for (const entry of entries) lines.push(...answerMarkdown(model(entry), 2));
  return finish(lines);
}

// ---- print -----------------------------------------------------------------------------

function printableAnswer(a: ExportAnswer): HTMLElement {
  const sentences = a.sentences.length
    ? h(
        "p",
        { class: "print-sentences" },
        a.coverage ? "Related, from the library: " : null,
        a.sentences.map((s, i) => [
          i > 0 ? " " : null,
          s.text,
          s.marks.length ? ` ${s.marks.map((n) => `[${n}]`).join("")}` : null,
          s.fact ? null : h("em", null, " (unverified)"),
        ]),
      )
    : null;
  return h(
    "article",
    { class: "print-item" },
    h("h2", null, a.question),
    a.warnings.map((w) => h("p", { class: "print-warning" }, h("strong", null, w))),
    a.coverage ? h("p", { class: "print-coverage" }, h("em", null, a.coverage)) : null,
    a.message ? h("p", { class: "print-message" }, a.message) : null,
    a.choices.length ? h("ul", null, a.choices.map((c) => h("li", null, c))) : null,
    sentences,
    a.notes.map((n) => h("p", { class: "print-note" }, `Note: ${n}`)),
    a.sources.length
      ? h(
          "section",
          { class: "print-sources" },
          h("h3", null, "Sources"),
          h(
            "ol",
            null,
            a.sources.map((s) =>
              h("li", { value: s.n }, h("strong", null, `[${s.n}] ${s.label}`), " ", h("span", { class: "print-origin" }, `(${s.origin})`), h("blockquote", null, s.text)),
            ),
          ),
        )
      : null,
  );
}

/** The page the print dialog prints: a title, the disclaimer, then every answer with its sources. */
export function renderPrintable(entries: readonly ExportEntry[], title: string): HTMLElement {
  return h(
    "div",
    { class: "printable" },
    h("h1", null, title),
    h("p", { class: "print-disclaimer" }, `${DISCLAIMER} It is not a substitute for advice from a doctor or pharmacist.`),
    entries.map((e) => printableAnswer(model(e))),
  );
}

/**
 * Opens the system print dialog (where "Save as PDF" is) on `entries` alone: while
 * `body[data-printing]` is set, the print stylesheet (print.css) hides all but `#print-root`.
 */
export function printEntries(entries: readonly ExportEntry[], title: string, doc: Document = document): void {
  let root = doc.getElementById("print-root");
  if (!root) {
    root = h("div", { id: "print-root", "aria-hidden": "true" });
    doc.body.append(root);
  }
  root.replaceChildren(renderPrintable(entries, title));
  const body = doc.body;
  body.dataset.printing = "true";
  // The dialog may return before printing ends; the page is put back once it closes.
  doc.defaultView?.addEventListener("afterprint", () => delete body.dataset.printing, { once: true });
  doc.defaultView?.print();
}
