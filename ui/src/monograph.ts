// The monograph (profile) view: every section, a table of contents, the FAQs, provenance
// for imported labels, and the block(s) a citation points at highlighted. Citations and
// blocks carry byte spans into the same source file, so highlighting is span overlap.

import { h } from "./dom";
import { MAX_OTHER_QUESTIONS, namedQuestion } from "./questions";
import type { BlockView, MonographView, SectionView, Span } from "./types";

/**
 * The profile's "Other questions" chips: as under an answer, at most six, each naming its
 * drug, since a chip is asked as it reads and the conversation may be about another drug.
 * The full FAQs stay in their own section above.
 */
export function profileQuestions(view: MonographView): string[] {
  return view.faqs.slice(0, MAX_OTHER_QUESTIONS).map((f) => namedQuestion(f.question, view.title, view.synonyms));
}

/** Half-open ranges [start, end) overlap when each starts before the other ends. */
export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

export function blockKey(block: BlockView): string {
  return `${block.span.start}-${block.span.end}`;
}

function* walk(sections: SectionView[], path: SectionView[] = []): Generator<[SectionView, SectionView[]]> {
  for (const section of sections) {
    const here = [...path, section];
    yield [section, here];
    yield* walk(section.children, here);
  }
}

/** The blocks a cited span covers, in document order. */
export function blocksForSpan(view: MonographView, span: Span): BlockView[] {
  const found: BlockView[] = [];
  for (const [section] of walk(view.sections)) {
    for (const block of section.blocks) if (overlaps(block.span, span)) found.push(block);
  }
  return found;
}

/** The deepest section containing the start of a span, with its path from the top. */
export function sectionForSpan(view: MonographView, span: Span): SectionView[] | null {
  let best: SectionView[] | null = null;
  for (const [section, path] of walk(view.sections)) {
    if (section.span.start <= span.start && span.start < section.span.end) best = path;
  }
  return best;
}

export function sectionDomId(anchor: string): string {
  return `sec-${anchor.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** The label sources of a reviewed monograph in words: "openfda:abc" → "openFDA label abc". */
export function checkedAgainstText(entries: string[]): string {
  const names: Record<string, string> = { openfda: "openFDA label", spl: "SPL file", pdf: "PDF label" };
  return entries
    .map((entry) => {
      const at = entry.indexOf(":");
      const kind = at > 0 ? names[entry.slice(0, at)] : undefined;
      return kind ? `${kind} ${entry.slice(at + 1)}` : entry;
    })
    .join(", ");
}

/** A bundled monograph's review state; null for an imported document, which is a label itself. */
function reviewState(view: MonographView): HTMLElement | null {
  if (view.labels.length) return null;
  if (!view.reviewed) return h("p", { class: "review-state unreviewed" }, "Not yet checked against an FDA label.");
  return h("p", { class: "review-state reviewed" }, `Checked against: ${checkedAgainstText(view.checked_against)}.`);
}

/**
 * The section the reader is in: the last one whose top has reached `line` (the middle of
 * the visible page), given the sections' tops in document order; the first before any has.
 * At the end of the page it is the last section, whose top may never reach the line.
 */
export function currentSectionIndex(tops: number[], line: number, atEnd = false): number {
  if (atEnd && tops.length) return tops.length - 1;
  let current = 0;
  tops.forEach((top, i) => {
    if (top <= line) current = i;
  });
  return current;
}

/** Marks the table of contents' link to section `index` as the reader's place. */
export function markCurrentSection(toc: HTMLElement, index: number): void {
  toc.querySelectorAll<HTMLAnchorElement>("a").forEach((a, i) => {
    a.classList.toggle("current", i === index);
    if (i === index) a.setAttribute("aria-current", "location");
    else a.removeAttribute("aria-current");
  });
}

/**
 * Keeps the table of contents on the section at the reader's position while `scroller`
 * scrolls. Returns a function that stops following.
 */
export function followSections(root: HTMLElement, scroller: HTMLElement): () => void {
  const toc = root.querySelector<HTMLElement>(".toc");
  if (!toc) return () => undefined;
  const sections = [...toc.querySelectorAll<HTMLAnchorElement>("a")].map((a) => document.getElementById(a.hash.slice(1)));
  let frame = 0;
  const update = () => {
    frame = 0;
    const bar = root.querySelector<HTMLElement>(".mono-toolbar")?.getBoundingClientRect().bottom ?? 0;
    const bottom = scroller.getBoundingClientRect().bottom;
    // The reader's eye: the middle of the visible page. A passage opened from a citation
    // is centred there, so its section stays the one marked.
    const line = (bar + bottom) / 2;
    const tops = sections.map((s) => s?.getBoundingClientRect().top ?? Infinity);
    const atEnd = scroller.scrollTop > 0 && scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2;
    markCurrentSection(toc, currentSectionIndex(tops, line, atEnd));
  };
  const onScroll = () => {
    frame ||= requestAnimationFrame(update);
  };
  scroller.addEventListener("scroll", onScroll, { passive: true });
  return () => scroller.removeEventListener("scroll", onScroll);
}

export interface MonographHandlers {
  onBack(): void;
  onAsk(question: string): void;
}

function sectionEl(section: SectionView, highlighted: Set<string>): HTMLElement {
  const level = Math.min(Math.max(section.level + 1, 3), 6);
  const heading = h(`h${level}` as "h3", { class: "section-heading" }, section.heading);
  return h(
    "section",
    { class: `mono-section kind-${section.kind}`, id: sectionDomId(section.anchor), "data-anchor": section.anchor, "aria-label": section.heading },
    heading,
    section.blocks.map((b) =>
      h(
        "p",
        {
          class: highlighted.has(blockKey(b)) ? "block highlight" : "block",
          "data-span": blockKey(b),
          tabindex: highlighted.has(blockKey(b)) ? -1 : null,
        },
        b.text,
      ),
    ),
    section.children.map((c) => sectionEl(c, highlighted)),
  );
}

/** Renders the profile. `highlight` is a cited span; its blocks are marked. */
export function renderMonograph(
  view: MonographView,
  highlight: Span | null,
  handlers: MonographHandlers,
): { el: HTMLElement; target: HTMLElement | null } {
  const blocks = highlight ? blocksForSpan(view, highlight) : [];
  const highlighted = new Set(blocks.map(blockKey));
  const hasFaqSection = view.sections.some((s) => s.kind === "faqs");
  const labels = view.labels;
  const citedPath = highlight ? sectionForSpan(view, highlight) : null;

  const toc = h(
    "nav",
    { class: "toc", "aria-label": `Sections of ${view.title}` },
    h("h2", { class: "toc-title" }, "Sections"),
    h(
      "ul",
      null,
      view.sections.map((s) =>
        h(
          "li",
          null,
          h(
            "a",
            {
              href: `#${sectionDomId(s.anchor)}`,
              onclick: (e: MouseEvent) => {
                e.preventDefault();
                const target = document.getElementById(sectionDomId(s.anchor));
                target?.scrollIntoView({ block: "start" });
                target?.querySelector<HTMLElement>(".section-heading")?.focus?.();
              },
            },
            s.heading,
          ),
        ),
      ),
      !hasFaqSection && view.faqs.length ? h("li", null, h("a", { href: "#mono-faqs" }, "FAQs")) : null,
    ),
  );

  const el = h(
    "div",
    { class: "monograph", "data-slug": view.slug, "data-library": view.library },
    h(
      "div",
      { class: "mono-toolbar" },
      h("button", { type: "button", class: "back-button", "aria-keyshortcuts": "Escape", onclick: handlers.onBack }, "← Back"),
      citedPath ? h("span", { class: "cited-where" }, `Cited passage: ${citedPath.map((s) => s.heading).join(" › ")}`) : null,
    ),
    h(
      "div",
      { class: "mono-layout" },
      toc,
      h(
        "article",
        { class: "mono-body", "aria-label": `Monograph: ${view.title}` },
        h("h1", { class: "mono-title" }, view.title),
        view.is_banned
          ? h("div", { class: "notice notice-banned", role: "alert" }, h("strong", null, "Warning: "), `${view.title} is banned or withdrawn in some countries.`)
          : null,
        view.synonyms.length ? h("p", { class: "synonyms" }, h("strong", null, "Also known as: "), view.synonyms.join(", ")) : null,
        view.description ? h("p", { class: "description" }, view.description) : null,
        h(
          "p",
          { class: "provenance" },
          view.library === "bundled" ? "Bundled DrugChatter monograph" : `Imported library “${view.library}”`,
          view.last_modified ? ` · updated ${view.last_modified.slice(0, 10)}` : null,
        ),
        reviewState(view),
        labels.length
          ? h(
              "section",
              { class: "labels", "aria-label": "Source labels" },
              h("h2", null, "Source labels"),
              h(
                "table",
                null,
                h("thead", null, h("tr", null, h("th", null, "Label"), h("th", null, "Set ID"), h("th", null, "Version"), h("th", null, "Effective"), h("th", null, "File"))),
                h(
                  "tbody",
                  null,
                  labels.map((l) =>
                    h("tr", null, h("td", null, l.title), h("td", { class: "mono" }, l.set_id), h("td", null, l.version), h("td", null, l.effective_date), h("td", null, l.source_file)),
                  ),
                ),
              ),
            )
          : null,
        view.sections.map((s) => sectionEl(s, highlighted)),
        !hasFaqSection && view.faqs.length
          ? h(
              "section",
              { class: "mono-section kind-faqs", id: "mono-faqs" },
              h("h2", null, "FAQs"),
              view.faqs.map((f) => h("div", { class: "faq" }, h("h3", null, f.question), h("p", { class: "block" }, f.answer))),
            )
          : null,
        view.faqs.length
          ? h(
              "section",
              { class: "other-questions", "aria-label": `Ask about ${view.title}` },
              h("h3", null, `Other questions about ${view.title}:`),
              h(
                "ul",
                null,
                profileQuestions(view).map((question) =>
                  h("li", null, h("button", { type: "button", class: "chip other-question", onclick: () => handlers.onAsk(question) }, question)),
                ),
              ),
            )
          : null,
      ),
    ),
  );
  const firstCited = citedPath ? view.sections.indexOf(citedPath[0]) : 0;
  markCurrentSection(toc, Math.max(0, firstCited));
  const target = el.querySelector<HTMLElement>(".block.highlight");
  return { el, target };
}
