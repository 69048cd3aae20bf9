// The card of a question being answered, from the ask to the settled answer.
//
// The model's draft is not checked yet, so by default it is not shown at all: the card says
// what is happening ("Writing and checking the answer…") and shows each sentence the engine
// reports verified as it lands, until the verified answer arrives.
// The "show unverified" setting shows the draft too, labelled as such, in its own element.
//
// The card's body is an ARIA live region, and the same element stays in the page when the
// answer settles (the card is filled in place, not replaced), so a screen reader announces
// the verified sentences as they land in it.

import { h } from "./dom";
import type { AskEvent } from "./types";

export const SEARCHING = "Searching the library…";
export const WRITING = "Writing and checking the answer…";

export interface PendingCard {
  card: HTMLElement;
  /** The live region: progress while the answer is written, then the answer itself. */
  body: HTMLElement;
  /** Follows what the ask streams. */
  onEvent(event: AskEvent): void;
}

export interface PendingOptions {
  /** The "show unverified" setting: show the model's draft while it is written. */
  showDraft: boolean;
}

/** The card shown while an answer is being written. Stop is the form's one Stop button. */
export function renderPending(question: string, options: PendingOptions): PendingCard {
  const progress = h("p", { class: "progress-state" }, SEARCHING);
  // Sentences already checked against their passages: facts, shown (and announced) now;
  // their citations are numbered when the answer settles.
  const verified = h("div", { class: "verified-so-far", hidden: true });
  const body = h("div", { class: "answer-body", "aria-live": "polite" }, progress, verified);
  const draftText = h("p", { class: "draft-text" });
  const draft = options.showDraft
    ? h("div", { class: "draft", hidden: true }, h("p", { class: "draft-label" }, "Unverified draft (shown because of your settings):"), draftText)
    : null;
  const card = h(
    "article",
    { class: "answer pending", "data-state": "pending", "aria-label": `Answering: ${question}`, "aria-busy": "true" },
    h("h2", { class: "question", tabindex: -1 }, question),
    body,
    draft,
  );
  const onEvent = (event: AskEvent) => {
    if (event.event === "started") {
      progress.textContent = SEARCHING;
    } else if (event.event === "draft") {
      // `drafting` tells the e2e suite that generation has started, whatever is shown.
      if (card.dataset.drafting !== "true") progress.textContent = WRITING;
      card.dataset.drafting = "true";
      if (draft) {
        draft.hidden = false;
        draftText.textContent += event.text;
      }
    } else if (event.event === "verified") {
      verified.hidden = false;
      verified.append(h("p", { class: "verified-sentence" }, event.sentence.text));
    }
  };
  return { card, body, onEvent };
}

/** A card for a question that was stopped or failed. */
export function renderStopped(question: string, message: string, kind: "cancelled" | "error"): HTMLElement {
  return h(
    "article",
    { class: `answer ${kind}`, "data-state": kind, "aria-label": `Answer to: ${question}` },
    h("h2", { class: "question", tabindex: -1 }, question),
    h(
      "div",
      { class: "answer-body" },
      h("p", { class: kind === "error" ? "error-text" : "stopped-text", role: kind === "error" ? "alert" : null }, message),
    ),
  );
}

function copyAttributes(from: Element, to: Element, keep: string[] = []): void {
  for (const attr of [...to.attributes]) if (!keep.includes(attr.name)) to.removeAttribute(attr.name);
  for (const attr of [...from.attributes]) to.setAttribute(attr.name, attr.value);
}

/**
 * Fills the pending card with the settled one (an answer, or a stopped or failed card) in
 * place: the card and its live body stay the same elements, everything else is taken from
 * `settled`. Returns the card.
 */
export function settleCard(pending: PendingCard, settled: HTMLElement): HTMLElement {
  const { card, body } = pending;
  copyAttributes(settled, card, ["id"]);
  for (const child of [...card.childNodes]) if (child !== body) child.remove();
  const settledBody = [...settled.children].find((c) => c.classList.contains("answer-body"));
  let beforeBody = true;
  for (const child of [...settled.childNodes]) {
    if (child === settledBody) beforeBody = false;
    else if (beforeBody) card.insertBefore(child, body);
    else card.append(child);
  }
  if (settledBody) {
    copyAttributes(settledBody, body);
    body.setAttribute("aria-live", "polite");
    body.replaceChildren(...settledBody.childNodes);
  } else {
    body.replaceChildren();
  }
  return card;
}
