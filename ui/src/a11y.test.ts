// Every control of every view has a name a screen reader can say. (The e2e suite runs
// axe-core over the real views; this catches an unnamed control before it gets there.)
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { renderAnswer, type AnswerHandlers } from "./answer";
import { abstention, drugList, imiquimodAnswer, imiquimodMonograph, status } from "./fixtures/answer";
import { renderMonograph } from "./monograph";
import { renderPending } from "./pending";
import { DEFAULT_SETTINGS } from "./settings";
import { renderImportPanel, renderLibrary, renderSearch, renderSettings, renderStatusBanner } from "./views";

const CONTROLS = "button, input, select, textarea, progress, a[href], [role=combobox], [role=listbox]";

/** A control's accessible name, as far as this UI names them. */
function accessibleName(el: Element, root: ParentNode): string {
  const labelledBy = el.getAttribute("aria-labelledby");
  if (labelledBy) return labelledBy.split(" ").map((id) => root.querySelector(`#${id}`)?.textContent ?? "").join(" ").trim();
  const label = el.getAttribute("aria-label");
  if (label) return label.trim();
  if (el.id) {
    const forLabel = root.querySelector(`label[for="${el.id}"]`);
    if (forLabel?.textContent?.trim()) return forLabel.textContent.trim();
  }
  if (el.closest("label")) return el.closest("label")!.textContent!.trim();
  if (el.matches("button, a")) return el.textContent?.trim() ?? "";
  return "";
}

function unnamed(root: ParentNode): string[] {
  return [...root.querySelectorAll(CONTROLS)].filter((el) => !accessibleName(el, root)).map((el) => el.outerHTML.slice(0, 80));
}

function handlers(): AnswerHandlers {
  return { onCite: vi.fn(), onCiteHover: vi.fn(), onCiteLeave: vi.fn(), onProfile: vi.fn(), onOtherQuestion: vi.fn(), onCopy: vi.fn() };
}

function inDocument(el: HTMLElement): Document {
  document.body.replaceChildren(el);
  return document;
}

describe("every control is labelled", () => {
  it("in the window's frame (index.html)", () => {
    document.documentElement.innerHTML = readFileSync(`${process.cwd()}/index.html`, "utf8").replace(/<script[^>]*><\/script>/g, "");
    expect(unnamed(document)).toEqual([]);
  });

  it("in answers, pending and abstained", () => {
    expect(unnamed(inDocument(renderAnswer(imiquimodAnswer(), handlers())))).toEqual([]);
    expect(unnamed(inDocument(renderAnswer(abstention(), handlers())))).toEqual([]);
    expect(unnamed(inDocument(renderPending("q", { showDraft: true }).card))).toEqual([]);
  });

  it("in the profile, the library, search results and settings", () => {
    expect(unnamed(inDocument(renderMonograph(imiquimodMonograph(), null, { onBack: vi.fn(), onAsk: vi.fn() }).el))).toEqual([]);
    const panel = renderImportPanel({ onChoose: vi.fn(), onImport: vi.fn(), onCancel: vi.fn() });
    const library = renderLibrary([{ name: "bundled", kind: "bundled", drugs: 1, chunks: 2, documents: 1, source_dir: "/c" }], drugList(), vi.fn(), panel);
    expect(unnamed(inDocument(library))).toEqual([]);
    const search = renderSearch({ query: "sun", hits: [], drugs: [], unknown_drugs: [], no_matching_drug: false } as never, vi.fn(), vi.fn());
    expect(unnamed(inDocument(search))).toEqual([]);
    expect(unnamed(inDocument(renderSettings(DEFAULT_SETTINGS, null, { onSave: vi.fn(), onChooseModel: vi.fn() })))).toEqual([]);
  });

  it("in the progress banner", () => {
    const parts = renderStatusBanner(
      status({ phase: "indexing", index_ready: false, first_index_build: true, progress: { task: "importing", stage: "embedding", done: 1, total: 9 } }),
      vi.fn(),
    );
    const banner = document.createElement("div");
    banner.append(...parts);
    expect(unnamed(inDocument(banner))).toEqual([]);
  });
});
