// Rendering an answer: verified sentences with [n] markers, notices placed as on the seed
// page (the research-preview disclaimer at the top, then emergency and banned notices), the
// profile link, sources numbered as shown and "Other questions about <drug>".

import { h } from "./dom";
import { otherQuestionChips } from "./questions";
import { plural } from "./words";
import type { Abstention, Answer, AnswerSentence, Clarification, Coverage, Notice, ProfileLink, Source } from "./types";

export interface AnswerHandlers {
  /** A citation marker or source was activated: open the monograph at the passage. */
  onCite(source: Source): void;
  /** Pointer or focus entered a marker: show the passage. */
  onCiteHover(source: Source, anchor: HTMLElement): void;
  onCiteLeave(): void;
  onProfile(link: ProfileLink): void;
  /** A drug class the question named: its class page. */
  onClass?(name: string): void;
  onOtherQuestion(question: string): void;
  onCopy(answer: Answer): void;
}

/** What the card needs to know beyond the answer. */
export interface AnswerContext {
  /** A model is loaded now (an answer with no model then was not written by one). */
  modelLoaded: boolean;
  /** A drug's other names (brands), which count as naming it in a suggested question. */
  namesOf(slug: string): string[];
}

const NO_CONTEXT: AnswerContext = { modelLoaded: false, namesOf: () => [] };

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
      return `${plural(notice.count, "sentence")} the model wrote could not be checked against the sources and ${notice.count === 1 ? "is" : "are"} not shown.`;
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

/**
 * The notices where they are shown: the research-preview disclaimer (`preview`) heads the
 * card as on the seed page, emergency and banned notices (`top`) come before the answer,
 * the rest (`inline`) after it.
 */
export function splitNotices(notices: Notice[]): { preview: Notice[]; top: Notice[]; inline: Notice[] } {
  const top: Notice[] = notices.filter((n) => n.kind === "emergency" || n.kind === "banned");
  const preview: Notice[] = notices.filter((n) => n.kind === "disclaimer");
  const inline = notices.filter((n) => !top.includes(n) && !preview.includes(n));
  return { preview, top, inline };
}

/**
 * The notices worth showing: a "no monograph on X" notice says again what an abstention
 * on X already says in bold, so it is dropped there.
 */
export function shownNotices(answer: Answer): Notice[] {
  const abstention = answer.abstention;
  if (abstention?.kind !== "no_monograph") return answer.notices;
  const said = new Set(abstention.names.map((n) => n.toLowerCase()));
  return answer.notices.filter((n) => n.kind !== "not_in_library" || !n.names.every((name) => said.has(name.toLowerCase())));
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

/**
 * The answer with its sources numbered as shown: only the cited ones, [1], [2], … in the
 * order the sentences first cite them, and every citation renumbered to match (the engine
 * numbers the passages it gave the model, of which the answer may cite [1] and [3]).
 * Numbering an answer twice changes nothing.
 */
export function numberSources(answer: Answer): Answer {
  const shown = new Map<number, Source>();
  for (const sentence of answer.sentences) {
    for (const n of validCitations(answer, sentence)) {
      if (!shown.has(n)) shown.set(n, { ...sourceFor(answer, n)!, n: shown.size + 1 });
    }
  }
  const renumber = (n: number) => shown.get(n)?.n;
  return {
    ...answer,
    sentences: answer.sentences.map((s) => ({
      ...s,
      citations: [...new Set(s.citations.map(renumber).filter((n): n is number => n !== undefined))],
    })),
    sources: [...shown.values()],
  };
}

/** The answer as plain text with its citations, for the clipboard. */
export function answerPlainText(original: Answer): string {
  const answer = numberSources(original);
  const lines: string[] = [`Q: ${answer.question}`, ""];
  const { preview, top, inline } = splitNotices(shownNotices(answer));
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
  if (answer.sources.length) {
    lines.push("", "Sources:");
    for (const s of answer.sources) {
      lines.push(`[${s.n}] ${sourceLabel(s)} (${s.library}: ${s.source}, bytes ${s.span.start}–${s.span.end})`);
      lines.push(`    "${excerpt(s.text, 400)}"`);
    }
  }
  for (const notice of preview) lines.push("", noticeText(notice));
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
  return h(
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

/**
 * "Quoted from the library." under a quoted answer, unless a notice already says why it
 * is quoted (no model, a question too long for it).
 */
function statusNote(answer: Answer): string | null {
  const explained = answer.notices.some((n) => n.kind === "no_model" || n.kind === "question_too_long");
  return answer.status === "extractive" && !explained ? "Quoted from the library." : null;
}

/** "0.4 s", or "35 ms" for what took less than a tenth of a second. */
export function durationText(ms: number): string {
  return ms < 100 ? `${Math.max(1, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Who wrote the answer and how long it took, as it is: the model's name when it wrote the
 * answer; otherwise "no model loaded" only when none is, and when one is, that this answer
 * needed none (an abstention, a clarification, a quote).
 */
export function metaText(answer: Answer, modelLoaded: boolean): string {
  const t = answer.timings;
  const who = answer.model
    ? answer.model
    : !modelLoaded
      ? "no model loaded"
      : answer.status === "extractive"
        ? "quoted without the model"
        : "model not needed";
  const speed = answer.model && t.generated_tokens ? `${plural(t.generated_tokens, "token")} at ${t.tokens_per_second.toFixed(1)}/s` : null;
  return [who, durationText(t.total_ms), speed].filter(Boolean).join(" · ");
}

function clarificationEl(answer: Answer, clarification: Clarification, handlers: AnswerHandlers): HTMLElement[] {
  return [
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
  ];
}

/** What the answer says: what the library lacks, then the sentences, a clarification or an abstention. */
function bodyEl(answer: Answer, handlers: AnswerHandlers): HTMLElement {
  const body = h("div", { class: `answer-body answer-${answer.status}`, "aria-live": "polite" });
  const missing = coverageText(answer.coverage, answer.question_type);
  if (missing) body.append(h("p", { class: "not-covered" }, missing));
  if (answer.clarification) {
    body.append(...clarificationEl(answer, answer.clarification, handlers));
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
  return body;
}

function sourcesEl(answer: Answer, handlers: AnswerHandlers): HTMLElement | null {
  if (!answer.sources.length) return null;
  return h(
    "section",
    { class: "sources", "aria-label": "Sources" },
    h("h3", null, "Sources"),
    h(
      "ol",
      null,
      answer.sources.map((s) =>
        h(
          "li",
          { value: s.n, class: "source", "data-n": s.n },
          h("button", { type: "button", class: "link source-open", onclick: () => handlers.onCite(s) }, `[${s.n}] ${sourceLabel(s)}`),
          s.library !== "bundled" ? h("span", { class: "library-tag" }, s.library) : null,
          h("blockquote", null, excerpt(s.text, 240)),
        ),
      ),
    ),
  );
}

function otherQuestionsEl(answer: Answer, handlers: AnswerHandlers, context: AnswerContext): HTMLElement[] {
  return otherQuestionChips(answer.question, answer.other_questions, context.namesOf).map((o) =>
    h(
      "section",
      { class: "other-questions", "aria-label": `Other questions about ${o.title}` },
      h("h3", null, `Other questions about ${o.title}:`),
      h(
        "ul",
        null,
        o.questions.map((q) => h("li", null, h("button", { type: "button", class: "chip other-question", onclick: () => handlers.onOtherQuestion(q) }, q))),
      ),
    ),
  );
}

/** The settled answer card. */
export function renderAnswer(original: Answer, handlers: AnswerHandlers, context: AnswerContext = NO_CONTEXT): HTMLElement {
  const answer = numberSources(original);
  const { preview, top, inline } = splitNotices(shownNotices(answer));
  const note = statusNote(answer);
  return h(
    "article",
    { class: "answer", "data-state": "done", "data-status": answer.status, "aria-label": `Answer to: ${answer.question}` },
    h("h2", { class: "question", tabindex: -1 }, answer.question, answer.carried_over ? h("span", { class: "carried" }, " (follow-up)") : null),
    preview.map((n) => h("p", { class: `notice notice-${n.kind}`, role: "note" }, noticeText(n))),
    top.map(noticeEl),
    answer.profiles.length || (answer.classes.length && handlers.onClass)
      ? h(
          "p",
          { class: "profiles" },
          answer.profiles.map((p) =>
            h("button", { type: "button", class: "link profile-link", "data-drug": p.drug_slug, onclick: () => handlers.onProfile(p) }, `See the profile for ${p.title}`),
          ),
          handlers.onClass
            ? answer.classes.map((c) =>
                h("button", { type: "button", class: "link class-link", "data-class": c, onclick: () => handlers.onClass?.(c) }, `See what ${c} share`),
              )
            : null,
        )
      : null,
    bodyEl(answer, handlers),
    note ? h("p", { class: "status-note" }, note) : null,
    inline.map(noticeEl),
    sourcesEl(answer, handlers),
    otherQuestionsEl(answer, handlers, context),
    h(
      "div",
      { class: "answer-actions" },
      h("button", { type: "button", class: "copy-answer", onclick: () => handlers.onCopy(answer) }, "Copy answer"),
      h("span", { class: "meta" }, metaText(answer, context.modelLoaded)),
    ),
  );
}
