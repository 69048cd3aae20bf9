// A drug class's page: its members, then the interactions and warnings two or more members
// state, each as every member's own line with a numbered citation that opens the member's
// profile at the passage. The engine groups the lines; nothing here words a fact.

import { h } from "./dom";
import type { ClassPage, DrugSummary, MemberLine, SharedFact } from "./types";
import { plural } from "./words";

export interface ClassPageHandlers {
  onBack(): void;
  /** A member's name was activated: its profile. */
  onMember(member: DrugSummary): void;
  /** A citation was activated: the member's profile at the cited passage. */
  onCite(line: MemberLine): void;
  onAsk(question: string): void;
}

/** "statins" → "Statins" as a heading; "mTOR inhibitors" and "NSAIDs" stay as written. */
export function headingCase(text: string): string {
  return /^\p{Ll}(\p{Ll}|$)/u.test(text) ? text[0].toUpperCase() + text.slice(1) : text;
}

/** "5 of 7 members": how widely a fact is stated. */
export function sharedByText(fact: SharedFact, members: number): string {
  return `${fact.lines.length} of ${plural(members, "member")}`;
}

/** Questions about the class worth offering: each names the class, so it asks across its members. */
export function classQuestions(page: ClassPage): string[] {
  const name = page.name;
  const questions = [`What are the side effects of ${name}?`, `What should I avoid while taking ${name}?`];
  const first = page.interactions[0]?.topic;
  if (first) questions.push(`Can I take ${name} with ${first.split(", ")[0]}?`);
  return questions;
}

function factsEl(
  id: string,
  heading: string,
  facts: SharedFact[],
  page: ClassPage,
  numbering: Map<MemberLine, number>,
  handlers: ClassPageHandlers,
): HTMLElement {
  return h(
    "section",
    { class: `class-facts ${id}`, "aria-labelledby": id },
    h("h2", { id }, heading),
    facts.length
      ? facts.map((fact) =>
          h(
            "section",
            { class: "shared-fact" },
            fact.topic
              ? h("h3", { class: "shared-topic" }, headingCase(fact.topic), h("span", { class: "shared-by" }, ` · ${sharedByText(fact, page.members.length)}`))
              : h("h3", { class: "shared-topic shared-untitled" }, `Stated by ${sharedByText(fact, page.members.length)}`),
            h(
              "ul",
              { class: "member-lines" },
              fact.lines.map((line) => {
                const n = numbering.get(line) ?? 0;
                return h(
                  "li",
                  { class: "member-line", "data-drug": line.drug_slug },
                  h("span", { class: "member-name" }, `${line.drug}: `),
                  h("span", { class: "member-text" }, line.text),
                  " ",
                  h(
                    "button",
                    {
                      type: "button",
                      class: "cite",
                      "data-n": n,
                      "aria-label": `Source ${n}: ${line.drug}, ${line.section}`,
                      title: `${line.drug} › ${line.section}`,
                      onclick: () => handlers.onCite(line),
                    },
                    `[${n}]`,
                  ),
                );
              }),
            ),
          ),
        )
      : h("p", { class: "muted" }, "No two members of this class state one alike in this library."),
  );
}

export function renderClassPage(page: ClassPage, handlers: ClassPageHandlers): HTMLElement {
  // Citations are numbered in the order they are shown, interactions first.
  const numbering = new Map<MemberLine, number>();
  for (const line of [...page.interactions, ...page.warnings].flatMap((f) => f.lines)) numbering.set(line, numbering.size + 1);
  const unreviewed = page.members.filter((m) => m.library === "bundled" && !m.reviewed);
  return h(
    "div",
    { class: "class-page", "data-class": page.name },
    h(
      "div",
      { class: "mono-toolbar" },
      h("button", { type: "button", class: "back-button", "aria-keyshortcuts": "Escape", onclick: handlers.onBack }, "← Back"),
    ),
    h(
      "article",
      { class: "class-body", "aria-label": `Drug class: ${page.name}` },
      h("h1", { class: "class-title", tabindex: -1 }, headingCase(page.name)),
      h(
        "p",
        { class: "class-intro" },
        `${plural(page.members.length, "member")} in this library. Below, what two or more of them state alike, each line quoted from its own monograph: `,
        "a member's profile has the rest.",
      ),
      h(
        "ul",
        { class: "class-members", "aria-label": `Members of ${page.name}` },
        page.members.map((m) =>
          h(
            "li",
            null,
            h("button", { type: "button", class: "chip class-member", "data-drug": m.slug, onclick: () => handlers.onMember(m) }, m.title),
          ),
        ),
      ),
      unreviewed.length
        ? h("p", { class: "muted review-note" }, `Not yet checked against an FDA label: ${unreviewed.map((m) => m.title).join(", ")}.`)
        : null,
      factsEl("class-interactions", "Interactions named by two or more members", page.interactions, page, numbering, handlers),
      factsEl("class-warnings", "Warnings stated by two or more members", page.warnings, page, numbering, handlers),
      h(
        "section",
        { class: "other-questions", "aria-label": `Ask about ${page.name}` },
        h("h3", null, `Questions about ${page.name}:`),
        h(
          "ul",
          null,
          classQuestions(page).map((q) => h("li", null, h("button", { type: "button", class: "chip other-question", onclick: () => handlers.onAsk(q) }, q))),
        ),
      ),
    ),
  );
}
