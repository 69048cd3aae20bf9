// Rendering an answer: verified sentences with [n] markers, notices placed as on the seed
// page (emergency and banned first, the research-preview disclaimer last), the profile
// link, numbered sources and "Other questions about <drug>".

import { h } from "./dom";
import type { Abstention, Answer, AnswerSentence, Clarification, Coverage, Notice, ProfileLink, Source } from "./types";

export interface AnswerHandlers {
  /** A citation marker or source was activated: open the monograph at the passage. */
  onCite(source: Source): void;
  /** Pointer or focus entered a marker: show the passage. */
  onCiteHover(source: Source, anchor: HTMLElement): void;
  onCiteLeave(): void;
  onProfile(link: ProfileLink): void;
  onOtherQuestion(question: string): void;
  onCopy(answer: Answer): void;
}

/** The numbered source `[n]`, if the answer has it. */
export function sourceFor(answer: Answer, n: number): Source | undefined {
  return answer.sources.find((s) => s.n === n) ?? answer.sources[n - 1];
}

/** The research-preview disclaimer of the DrugChatter answer page. */
export const DISCLAIMER = "Free Research Preview. DrugChatter may produce inaccurate information.";

const EMERGENCY =
  "If this is an emergency (someone may have taken too much of a medicine or swallowed something poisonous, or has " +
  "trouble breathing or swelling of the face, lips or throat), call your local emergency number now. For a possible " +
  "poisoning you can also call poison control (in the US, 1-800-222-1222).";

/** "the medicine you asked about", or the names that looked like medicines. */
function named(names: string[]): string {
  return names.length ? names.join(", ") : "the medicine you asked about";
}

/** What a notice says; the engine only says which notice it is. */
export function noticeText(notice: Notice): string {
  switch (notice.kind) {
    case "emergency":
      return EMERGENCY;
    case "banned":
      return `${notice.drug} is flagged as banned: it has been withdrawn from the market. Do not start it; ask a pharmacist about alternatives.`;
    case "not_in_library":
      return `No monograph on ${named(notice.names)}.`;
    case "unverified":
      return notice.count === 1
        ? "1 sentence the model wrote could not be checked against the sources and is not shown."
        : `${notice.count} sentences the model wrote could not be checked against the sources and are not shown.`;
    case "no_model":
      return "No answer model is loaded, so this answer quotes the library.";
    case "question_too_long":
      return "The question is too long for the answer model, so this answer quotes the library.";
    case "disclaimer":
      return DISCLAIMER;
  }
}

/** What the library lacks, said before any related fact; null when it has the answer. */
export function coverageText(coverage: Coverage, questionType: string): string | null {
  switch (coverage.kind) {
    case "covered":
      return null;
    case "not_covered":
      if (questionType === "appearance_ingredients") {
        return `The library does not describe what ${coverage.drugs.join(" or ")} looks like or what it contains.`;
      }
      return coverage.asked.length
        ? `The library's monograph on ${coverage.drugs.join(" and ")} does not mention ${coverage.asked.join(" ")}.`
        : `The library's monograph on ${coverage.drugs.join(" and ")} does not answer this.`;
    case "pair_not_linked":
      return `Neither monograph lists an interaction between ${coverage.first} and ${coverage.second}. That does not prove they are safe together: ask a pharmacist before combining them.`;
  }
}

/** The question with the shared name replaced by one medicine's: "how do I inject insulin glargine". */
export function clarifiedQuestion(question: string, clarification: Clarification, title: string): string {
  const at = question.toLowerCase().indexOf(clarification.matched.toLowerCase());
  if (at < 0) return `${question} (${title})`;
  return question.slice(0, at) + title + question.slice(at + clarification.matched.length);
}

/** Why an answer gives no facts. */
export function abstentionText(abstention: Abstention | null): string {
  if (abstention?.kind === "no_monograph") {
    return `This library has no monograph on ${named(abstention.names)}, so DrugChatter cannot answer this. Ask a pharmacist or doctor, or search the library for another name of the medicine.`;
  }
  return "The library's passages on this drug do not answer this question.";
}

/** Notices shown above the answer (must be seen first) and below it. */
export function splitNotices(notices: Notice[]): { top: Notice[]; inline: Notice[]; bottom: Notice[] } {
  const top: Notice[] = notices.filter((n) => n.kind === "emergency" || n.kind === "banned");
  const bottom: Notice[] = notices.filter((n) => n.kind === "disclaimer");
  const inline = notices.filter((n) => !top.includes(n) && !bottom.includes(n));
  return { top, inline, bottom };
}

/** Where a source comes from, for labels: "Imiquimod › How It Works". */
export function sourceLabel(source: Source): string {
  const section = source.section_path.length ? source.section_path.join(" › ") : source.section;
  return section ? `${source.drug} › ${section}` : source.drug;
}

/** The first `max` characters of a passage, cut at a word. */
export function excerpt(text: string, max = 320): string {
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function isFact(sentence: AnswerSentence): boolean {
  return sentence.status === "verified" || sentence.status === "quoted";
}

/** The citations a sentence carries that exist in the answer's sources. */
export function validCitations(answer: Answer, sentence: AnswerSentence): number[] {
  return sentence.citations.filter((n) => sourceFor(answer, n) !== undefined);
}

/** The answer as plain text with its citations, for the clipboard. */
export function answerPlainText(answer: Answer): string {
  const lines: string[] = [`Q: ${answer.question}`, ""];
  const { top, inline, bottom } = splitNotices(answer.notices);
  for (const notice of top) lines.push(`! ${noticeText(notice)}`);
  if (top.length) lines.push("");
  const missing = coverageText(answer.coverage, answer.question_type);
  if (missing) lines.push(missing, "");
  if (answer.clarification) {
    lines.push(`"${answer.clarification.matched}" can mean several medicines. Which one do you mean?`);
    for (const c of answer.clarification.candidates) lines.push(`- ${c.title}`);
  } else if (answer.sentences.length === 0) {
    lines.push(abstentionText(answer.abstention));
  } else {
    const body = answer.sentences
      .map((s) => {
        const marks = validCitations(answer, s)
          .map((n) => `[${n}]`)
          .join("");
        const flag = isFact(s) ? "" : " (unverified)";
        return `${s.text}${marks ? ` ${marks}` : ""}${flag}`;
      })
      .join(" ");
    lines.push(body);
  }
  for (const notice of inline) lines.push("", `Note: ${noticeText(notice)}`);
  const cited = new Set(answer.sentences.flatMap((s) => s.citations));
  const sources = answer.sources.filter((s) => cited.has(s.n));
  if (sources.length) {
    lines.push("", "Sources:");
    for (const s of sources) {
      lines.push(`[${s.n}] ${sourceLabel(s)} (${s.library}: ${s.source}, bytes ${s.span.start}–${s.span.end})`);
      lines.push(`    "${excerpt(s.text, 400)}"`);
    }
  }
  for (const notice of bottom) lines.push("", noticeText(notice));
  return lines.join("\n");
}

function noticeEl(notice: Notice): HTMLElement {
  const urgent = notice.kind === "emergency" || notice.kind === "banned";
  return h(
    "div",
    { class: `notice notice-${notice.kind}`, role: urgent ? "alert" : "note" },
    urgent ? h("strong", null, notice.kind === "emergency" ? "Emergency: " : "Warning: ") : null,
    noticeText(notice),
  );
}

function citeButton(answer: Answer, n: number, handlers: AnswerHandlers): HTMLElement | null {
  const source = sourceFor(answer, n);
  if (!source) return null;
  const button = h(
    "button",
    {
      type: "button",
      class: "cite",
      "data-n": n,
      "data-drug": source.drug_slug,
      "aria-label": `Source ${n}: ${sourceLabel(source)}. Open in the monograph.`,
      onclick: () => handlers.onCite(source),
      onmouseenter: (e: MouseEvent) => handlers.onCiteHover(source, e.currentTarget as HTMLElement),
      onmouseleave: () => handlers.onCiteLeave(),
      onfocus: (e: FocusEvent) => handlers.onCiteHover(source, e.currentTarget as HTMLElement),
      onblur: () => handlers.onCiteLeave(),
    },
    `[${n}]`,
  );
  return button;
}

function sentenceEl(answer: Answer, sentence: AnswerSentence, handlers: AnswerHandlers): HTMLElement {
  const fact = isFact(sentence);
  const el = h("span", {
    class: `sentence sentence-${sentence.status}`,
    title: fact ? null : `Not verified: ${sentence.reason ?? "no matching source"}`,
  });
  el.append(sentence.text);
  for (const n of validCitations(answer, sentence)) {
    const button = citeButton(answer, n, handlers);
    if (button) el.append("\u00a0", button);
  }
  if (!fact) el.append(" ", h("em", { class: "unverified-flag" }, "(unverified)"));
  return el;
}

function statusNote(answer: Answer): string | null {
  switch (answer.status) {
    case "extractive":
      return "Quoted from the library.";
    case "abstained":
      return null;
    default:
      return null;
  }
}

/** The settled answer card. */
export function renderAnswer(answer: Answer, handlers: AnswerHandlers): HTMLElement {
  const { top, inline, bottom } = splitNotices(answer.notices);
  const body = h("div", { class: `answer-body answer-${answer.status}` });
  const missing = coverageText(answer.coverage, answer.question_type);
  if (missing) body.append(h("p", { class: "not-covered", role: "status" }, missing));
  if (answer.clarification) {
    const clarification = answer.clarification;
    body.append(
      h("p", { class: "clarification" }, `“${clarification.matched}” can mean several medicines in this library. Which one do you mean?`),
      h(
        "ul",
        { class: "clarification-choices", "aria-label": "Choose a medicine" },
        clarification.candidates.map((c) =>
          h(
            "li",
            null,
            h(
              "button",
              {
                type: "button",
                class: "chip clarification-choice",
                "data-drug": c.slug,
                onclick: () => handlers.onOtherQuestion(clarifiedQuestion(answer.question, clarification, c.title)),
              },
              c.title,
            ),
          ),
        ),
      ),
    );
  } else if (answer.sentences.length === 0) {
    body.append(h("p", { class: "abstention" }, abstentionText(answer.abstention)));
  } else {
    const paragraph = h("p", { class: missing ? "related-facts" : null });
    if (missing) paragraph.append(h("span", { class: "related-label" }, "Related, from the library: "));
    answer.sentences.forEach((s, i) => {
      if (i > 0) paragraph.append(" ");
      paragraph.append(sentenceEl(answer, s, handlers));
    });
    body.append(paragraph);
  }
  const note = statusNote(answer);

  const cited = new Set(answer.sentences.flatMap((s) => s.citations));
  const sources = answer.sources.filter((s) => cited.has(s.n));
  const sourcesEl = sources.length
    ? h(
        "section",
        { class: "sources", "aria-label": "Sources" },
        h("h3", null, "Sources"),
        h(
          "ol",
          null,
          sources.map((s) =>
            h(
              "li",
              { value: s.n, class: "source", "data-n": s.n },
              h(
                "button",
                { type: "button", class: "link source-open", onclick: () => handlers.onCite(s) },
                `[${s.n}] ${sourceLabel(s)}`,
              ),
              s.library !== "bundled" ? h("span", { class: "library-tag" }, s.library) : null,
              h("blockquote", null, excerpt(s.text, 240)),
            ),
          ),
        ),
      )
    : null;

  const asked = answer.question.trim().toLowerCase();
  const others = answer.other_questions
    .map((o) => ({ ...o, questions: o.questions.filter((q) => q.trim().toLowerCase() !== asked) }))
    .filter((o) => o.questions.length)
    .map((o) =>
      h(
        "section",
        { class: "other-questions", "aria-label": `Other questions about ${o.title}` },
        h("h3", null, `Other questions about ${o.title}:`),
        h(
          "ul",
          null,
          o.questions.map((q) =>
            h(
              "li",
              null,
              h("button", { type: "button", class: "chip other-question", onclick: () => handlers.onOtherQuestion(q) }, q),
            ),
          ),
        ),
      ),
    );

  const timing = answer.timings;
  const meta = [
    answer.model ? `${answer.model}` : "no model",
    `${(timing.total_ms / 1000).toFixed(1)} s`,
    timing.generated_tokens ? `${timing.generated_tokens} tokens at ${timing.tokens_per_second.toFixed(1)}/s` : null,
  ]
    .filter(Boolean)
    .join(" · ");

  return h(
    "article",
    { class: "answer", "data-state": "done", "data-status": answer.status, "aria-label": `Answer to: ${answer.question}` },
    h("h2", { class: "question" }, answer.question, answer.carried_over ? h("span", { class: "carried" }, " (follow-up)") : null),
    top.map(noticeEl),
    answer.profiles.length
      ? h(
          "p",
          { class: "profiles" },
          answer.profiles.map((p) =>
            h("button", { type: "button", class: "link profile-link", "data-drug": p.drug_slug, onclick: () => handlers.onProfile(p) }, `See the profile for ${p.title}`),
          ),
        )
      : null,
    body,
    note ? h("p", { class: "status-note" }, note) : null,
    inline.map(noticeEl),
    sourcesEl,
    others,
    h(
      "div",
      { class: "answer-actions" },
      h("button", { type: "button", class: "copy-answer", onclick: () => handlers.onCopy(answer) }, "Copy answer"),
      h("span", { class: "meta" }, meta),
    ),
    bottom.map((n) => h("p", { class: `notice notice-${n.kind}`, role: "note" }, noticeText(n))),
  );
}

/** The card shown while an answer is being written: the question and the growing draft. */
export function renderPending(question: string, onStop: () => void): { card: HTMLElement; draft: HTMLElement; phase: HTMLElement } {
  const draft = h("p", { class: "draft-text" });
  const phase = h("p", { class: "draft-label" }, "Searching the library…");
  const card = h(
    "article",
    { class: "answer pending", "data-state": "pending", "aria-label": `Answering: ${question}`, "aria-busy": "true" },
    h("h2", { class: "question" }, question),
    h(
      "div",
      { class: "draft", "aria-live": "polite" },
      phase,
      draft,
    ),
    h("div", { class: "answer-actions" }, h("button", { type: "button", class: "stop-inline", onclick: onStop }, "Stop")),
  );
  return { card, draft, phase };
}

/** A card for a question that was stopped or failed. */
export function renderStopped(question: string, message: string, kind: "cancelled" | "error"): HTMLElement {
  return h(
    "article",
    { class: `answer ${kind}`, "data-state": kind, "aria-label": `Answer to: ${question}` },
    h("h2", { class: "question" }, question),
    h("p", { class: kind === "error" ? "error-text" : "stopped-text", role: kind === "error" ? "alert" : "status" }, message),
  );
}
