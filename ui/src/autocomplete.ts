// Drug search: ranking generic and brand names against what is typed, and an accessible
// combobox (ARIA 1.2 pattern: input + listbox, arrow keys, Enter, Escape).

import { clear, h } from "./dom";
import type { DrugSummary } from "./types";

export interface Suggestion {
  drug: DrugSummary;
  /** The name that matched: the title or one of its brand names. */
  name: string;
  how: "generic" | "brand";
  /** Lower is better. */
  score: number;
}

/** Lower case, accents and punctuation removed, spaces collapsed. */
export function normalize(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** Optimal string alignment distance, stopping early once above `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i][0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
  }
  return rows[a.length][b.length];
}

/** How well one name matches the query; null when it does not. */
function matchScore(name: string, query: string): number | null {
  if (name === query) return 0;
  if (name.startsWith(query)) return 2;
  if (name.split(" ").some((w) => w.startsWith(query))) return 4;
  if (query.length >= 3 && name.includes(query)) return 6;
  if (query.length >= 4) {
    const allowed = query.length >= 8 ? 2 : 1;
    // A misspelt prefix: compare with the name cut to the query's length, and the whole name.
    const prefix = name.slice(0, query.length);
    if (editDistance(prefix, query, allowed) <= allowed || editDistance(name, query, allowed) <= allowed) return 8;
  }
  return null;
}

/**
 * The best `limit` drugs for a query, each once, by its best-matching name. Generic names
 * beat brand names at the same match quality; then shorter names, then alphabetical.
 */
export function rankDrugs(drugs: DrugSummary[], query: string, limit = 8): Suggestion[] {
  const q = normalize(query);
  if (!q) return [];
  const results: Suggestion[] = [];
  for (const drug of drugs) {
    let best: Suggestion | null = null;
    const candidates: [string, "generic" | "brand"][] = [
      [drug.title, "generic"],
      ...drug.synonyms.map((s): [string, "brand"] => [s, "brand"]),
    ];
    for (const [name, how] of candidates) {
      const score = matchScore(normalize(name), q);
      if (score === null) continue;
      const total = score + (how === "brand" ? 1 : 0);
      if (!best || total < best.score) best = { drug, name, how, score: total };
    }
    if (best) results.push(best);
  }
  results.sort(
    (a, b) =>
      a.score - b.score ||
      a.name.length - b.name.length ||
      a.drug.title.localeCompare(b.drug.title) ||
      a.drug.library.localeCompare(b.drug.library),
  );
  return results.slice(0, limit);
}

export interface ComboboxOptions {
  input: HTMLInputElement;
  listbox: HTMLElement;
  source(): DrugSummary[];
  onSelect(drug: DrugSummary): void;
  /** Enter with no suggestion: search passages for the text. */
  onSearch(text: string): void;
  /**
   * Why there are no drugs to suggest yet (the library is still being indexed), or null.
   * Said instead of "No drug named …", which would be false then.
   */
  unavailable?(): string | null;
}

/** Wires an input and a listbox into a drug combobox. */
export function attachCombobox(options: ComboboxOptions): { close(): void } {
  const { input, listbox } = options;
  let suggestions: Suggestion[] = [];
  let active = -1;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  listbox.setAttribute("role", "listbox");

  function close() {
    suggestions = [];
    active = -1;
    clear(listbox);
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function render() {
    clear(listbox);
    if (!suggestions.length) {
      const text = input.value.trim();
      if (text) {
        const why = options.unavailable?.() ?? `No drug named “${text}”. Press Enter to search passages.`;
        listbox.append(h("li", { class: "option-empty", role: "presentation" }, why));
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      return;
    }
    suggestions.forEach((s, i) => {
      const id = `${listbox.id}-opt-${i}`;
      const li = h(
        "li",
        {
          id,
          role: "option",
          class: i === active ? "option active" : "option",
          "aria-selected": i === active ? "true" : "false",
          "data-slug": s.drug.slug,
          onmousedown: (e: MouseEvent) => {
            e.preventDefault();
            choose(i);
          },
        },
        h("span", { class: "option-title" }, s.drug.title),
        s.how === "brand" ? h("span", { class: "option-brand" }, ` (${s.name})`) : null,
        s.drug.library !== "bundled" ? h("span", { class: "library-tag" }, s.drug.library) : null,
        s.drug.is_banned ? h("span", { class: "banned-tag" }, "banned") : null,
      );
      listbox.append(li);
    });
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) input.setAttribute("aria-activedescendant", `${listbox.id}-opt-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(i: number) {
    const s = suggestions[i];
    if (!s) return;
    close();
    input.value = "";
    options.onSelect(s.drug);
  }

  input.addEventListener("input", () => {
    suggestions = rankDrugs(options.source(), input.value);
    active = suggestions.length ? 0 : -1;
    render();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && suggestions.length) {
      e.preventDefault();
      active = (active + 1) % suggestions.length;
      render();
    } else if (e.key === "ArrowUp" && suggestions.length) {
      e.preventDefault();
      active = (active - 1 + suggestions.length) % suggestions.length;
      render();
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0 && suggestions[active]) choose(active);
      else if (input.value.trim() && !options.unavailable?.()) {
        const text = input.value.trim();
        close();
        options.onSearch(text);
      }
    } else if (e.key === "Escape") {
      if (!listbox.hidden) {
        e.preventDefault();
        e.stopPropagation();
      }
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  close();
  return { close };
}
