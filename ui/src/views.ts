// The library browser, passage search results, settings form and status banner.

import { excerpt } from "./answer";
import { h } from "./dom";
import { normalize } from "./autocomplete";
import { ESTIMATING, percentText, remainingText } from "./progress";
import { settingsRequest, validateSettings } from "./settings";
import { plural } from "./words";
import type { ClassSummary, DrugSummary, Hit, ImportReport, LibraryInfo, ProgressInfo, SearchResults, Settings, SettingsRequest, Status } from "./types";

export function libraryLabel(info: LibraryInfo): string {
  return info.kind === "bundled" ? "Bundled monographs" : `Imported: ${info.name}`;
}

/**
 * A bundled monograph's review state as the library list shows it; null for an imported
 * document, which is an FDA label itself.
 */
export function reviewTag(d: Pick<DrugSummary, "labels" | "reviewed">): { text: string; reviewed: boolean } | null {
  if (d.labels > 0) return null;
  return d.reviewed ? { text: "checked against FDA label", reviewed: true } : { text: "not yet checked", reviewed: false };
}

/** Drugs whose title or brand names contain every word of the filter. */
export function filterDrugs(drugs: DrugSummary[], filter: string, library: string | null): DrugSummary[] {
  const words = normalize(filter).split(" ").filter(Boolean);
  return drugs.filter((d) => {
    if (library && d.library !== library) return false;
    if (!words.length) return true;
    const hay = normalize([d.title, ...d.synonyms].join(" "));
    return words.every((w) => hay.includes(w));
  });
}

/**
 * What removing an imported library deletes, in words, for its confirmation: the user
 * sees exactly which library, how much of it and where before anything is deleted.
 */
export function removalText(info: LibraryInfo): string {
  const documents = info.documents ?? info.drugs;
  return (
    `Remove the library “${info.name}”? This deletes its ${plural(documents, "label")} ` +
    `(${plural(info.drugs, "drug")}, ${plural(info.chunks, "passage")}) and its index, in ${info.source_dir}. ` +
    "The bundled library is not affected. This cannot be undone."
  );
}

/** The Remove control of one imported library: a button, then a confirmation naming what goes. */
function removeControl(info: LibraryInfo, onRemove: (info: LibraryInfo) => Promise<string | null>): HTMLElement {
  const cell = h("td", { class: "library-remove" });
  const message = h("p", { class: "form-message", role: "status" });
  const ask = () => {
    const button = h("button", { type: "button", class: "remove-library", "aria-label": `Remove the library ${info.name}…`, onclick: confirm }, "Remove…");
    cell.replaceChildren(button, message);
    return button;
  };
  function confirm() {
    const textId = `remove-${info.name}-text`;
    const yes = h("button", { type: "button", class: "danger remove-library-confirm", "aria-describedby": textId }, "Remove");
    const no = h("button", { type: "button", class: "remove-library-cancel" }, "Cancel");
    no.addEventListener("click", () => ask().focus());
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      no.disabled = true;
      const error = await onRemove(info);
      if (error) {
        ask().focus();
        message.textContent = error;
        message.className = "form-message error-text";
      }
    });
    cell.replaceChildren(h("div", { class: "remove-confirm", role: "group", "aria-label": `Confirm removing ${info.name}` }, h("p", { id: textId }, removalText(info)), yes, no));
    no.focus();
  }
  ask();
  return cell;
}

export function renderLibrary(
  infos: LibraryInfo[],
  drugs: DrugSummary[],
  onOpen: (drug: DrugSummary) => void,
  importPanel: HTMLElement | null = null,
  onRemove: ((info: LibraryInfo) => Promise<string | null>) | null = null,
  classes: { classes: ClassSummary[]; onOpen: (c: ClassSummary) => void } | null = null,
): HTMLElement {
  let library: string | null = null;
  const list = h("ul", { class: "drug-list", "aria-label": "Drugs" });
  const count = h("p", { class: "muted", "aria-live": "polite" });
  const filter = h("input", {
    type: "search",
    id: "library-filter",
    placeholder: "Filter by name or brand",
    maxlength: 200,
    autocomplete: "off",
    "aria-label": "Filter the drugs",
  });

  function refresh() {
    const shown = filterDrugs(drugs, filter.value, library);
    list.replaceChildren(
      ...shown.map((d) =>
        h(
          "li",
          null,
          h(
            "button",
            { type: "button", class: "drug-item", "data-slug": d.slug, onclick: () => onOpen(d) },
            h("span", { class: "drug-title" }, d.title),
            d.is_banned ? h("span", { class: "banned-tag" }, "banned") : null,
            d.library !== "bundled" ? h("span", { class: "library-tag" }, d.library) : null,
            (() => {
              const review = reviewTag(d);
              return review ? h("span", { class: review.reviewed ? "review-tag reviewed" : "review-tag unreviewed" }, review.text) : null;
            })(),
            d.synonyms.length ? h("span", { class: "drug-brands" }, d.synonyms.slice(0, 4).join(", ")) : null,
          ),
        ),
      ),
    );
    count.textContent = `${shown.length} of ${drugs.length} drugs`;
  }
  filter.addEventListener("input", refresh);

  const table = h(
    "table",
    { class: "libraries" },
    h("caption", null, "Libraries"),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "col" }, "Library"),
        h("th", { scope: "col" }, "Drugs"),
        h("th", { scope: "col" }, "Documents"),
        h("th", { scope: "col" }, "Passages"),
        h("th", { scope: "col" }, "Show"),
        onRemove ? h("th", { scope: "col" }, "Remove") : null,
      ),
    ),
    h(
      "tbody",
      null,
      infos.map((info) => {
        const radio = h("input", { type: "radio", name: "library-pick", value: info.name, "aria-label": `Show only ${libraryLabel(info)}` });
        radio.addEventListener("change", () => {
          library = info.name;
          refresh();
        });
        return h(
          "tr",
          { "data-library": info.name },
          h("th", { scope: "row" }, libraryLabel(info)),
          h("td", { class: "num" }, info.drugs),
          h("td", { class: "num" }, info.documents ?? info.drugs),
          h("td", { class: "num" }, info.chunks),
          h("td", null, radio),
          onRemove ? (info.kind === "imported" ? removeControl(info, onRemove) : h("td", null)) : null,
        );
      }),
      h(
        "tr",
        null,
        h("th", { scope: "row" }, "All"),
        h("td", { class: "num" }, infos.reduce((n, i) => n + i.drugs, 0)),
        h("td", { class: "num" }, infos.reduce((n, i) => n + (i.documents ?? i.drugs), 0)),
        h("td", { class: "num" }, infos.reduce((n, i) => n + i.chunks, 0)),
        (() => {
          const radio = h("input", { type: "radio", name: "library-pick", value: "", checked: true, "aria-label": "Show all libraries" });
          radio.addEventListener("change", () => {
            library = null;
            refresh();
          });
          return h("td", null, radio);
        })(),
        onRemove ? h("td", null) : null,
      ),
    ),
  );

  refresh();
  return h(
    "div",
    { class: "library" },
    h("h1", null, "Library"),
    h("div", { class: "library-top" }, table, importPanel),
    classes?.classes.length
      ? h(
          "section",
          { class: "class-list", "aria-labelledby": "class-list-title" },
          h("h2", { id: "class-list-title" }, "Drug classes"),
          h("p", { class: "muted" }, "What the members of a class share: interactions and warnings, each line from its own monograph."),
          h(
            "ul",
            null,
            classes.classes.map((c) =>
              h(
                "li",
                null,
                h("button", { type: "button", class: "chip class-item", "data-class": c.name, "aria-label": `${c.name}, ${plural(c.members, "member")}`, onclick: () => classes.onOpen(c) }, c.name, h("span", { class: "class-count" }, ` ${c.members}`)),
              ),
            ),
          ),
        )
      : null,
    h("div", { class: "library-filter" }, filter, count),
    list,
  );
}

export function renderSearch(
  results: SearchResults,
  onOpenHit: (hit: Hit) => void,
  onAsk: (question: string) => void,
): HTMLElement {
  return h(
    "div",
    { class: "search-results" },
    h("h1", null, `Passages for “${results.query}”`),
    results.no_matching_drug
      ? h(
          "p",
          { class: "notice notice-not_in_library" },
          results.unknown_drugs.length ? `No monograph on ${results.unknown_drugs.join(", ")} in the library.` : "The search names no drug in the library.",
        )
      : null,
    results.drugs.length ? h("p", null, "Drugs: ", results.drugs.map((d) => d.title).join(", ")) : null,
    h(
      "ol",
      { class: "hits" },
      results.hits.map((hit) =>
        h(
          "li",
          { class: "hit" },
          h("button", { type: "button", class: "link hit-open", onclick: () => onOpenHit(hit) }, `${hit.drug} › ${hit.section}`),
          h("blockquote", null, excerpt(hit.text, 360)),
        ),
      ),
    ),
    results.hits.length === 0 ? h("p", { class: "muted" }, "No passages found.") : null,
    h("p", null, h("button", { type: "button", class: "chip", onclick: () => onAsk(results.query) }, `Ask: “${results.query}”`)),
  );
}

export interface SettingsHandlers {
  onSave(settings: SettingsRequest): Promise<string | null>;
  onChooseModel(): Promise<string | null>;
}

export function renderSettings(current: Settings, status: Status | null, handlers: SettingsHandlers): HTMLElement {
  let chosenPath = current.model.kind === "file" ? current.model.path : "";
  const bundled = h("input", { type: "radio", name: "model", id: "model-bundled", value: "bundled", checked: current.model.kind === "bundled" });
  const file = h("input", { type: "radio", name: "model", id: "model-file", value: "file", checked: current.model.kind === "file" });
  const pathEl = h("span", { class: "mono model-path", id: "model-path" }, chosenPath || "no file chosen");
  const choose = h("button", { type: "button", id: "choose-model" }, "Choose a GGUF file…");
  choose.addEventListener("click", async () => {
    const picked = await handlers.onChooseModel();
    if (picked) {
      chosenPath = picked;
      pathEl.textContent = picked;
      file.checked = true;
    }
  });
  const length = h(
    "select",
    { id: "answer-length" },
    (["short", "medium", "long"] as const).map((v) => h("option", { value: v, selected: current.answer_length === v }, { short: "Short (about 96 tokens)", medium: "Medium (about 160 tokens)", long: "Long (about 256 tokens)" }[v])),
  );
  const unverified = h("input", { type: "checkbox", id: "show-unverified", checked: current.show_unverified });
  const theme = h(
    "select",
    { id: "theme" },
    (["system", "light", "dark"] as const).map((v) => h("option", { value: v, selected: current.theme === v }, { system: "Follow the system", light: "Light", dark: "Dark" }[v])),
  );
  const message = h("p", { class: "form-message", role: "status", "aria-live": "polite" });

  const form = h(
    "form",
    { class: "settings-form", "aria-labelledby": "settings-title" },
    h("h1", { id: "settings-title" }, "Settings"),
    h(
      "fieldset",
      null,
      h("legend", null, "Answer model"),
      h("div", null, bundled, h("label", { for: "model-bundled" }, " Bundled (SmolLM2-135M-Instruct)")),
      h("div", null, file, h("label", { for: "model-file" }, " My own GGUF file: "), pathEl, " ", choose),
      h("p", { class: "hint" }, "Architectures llama, qwen2, qwen3, gemma3 and phi3 are supported."),
      status
        ? h(
            "p",
            { class: "model-state" },
            status.model_loading ? "Loading the model…" : status.model ? `Loaded: ${status.model}` : "No model loaded: answers quote the library.",
          )
        : null,
      status?.model_error ? h("p", { class: "error-text", role: "alert" }, status.model_error) : null,
    ),
    h(
      "fieldset",
      null,
      h("legend", null, "Answers"),
      h("div", null, h("label", { for: "answer-length" }, "Answer length "), length),
      h("div", null, unverified, h("label", { for: "show-unverified" }, " Show sentences that could not be verified (marked as unverified)")),
    ),
    h("fieldset", null, h("legend", null, "Appearance"), h("div", null, h("label", { for: "theme" }, "Theme "), theme)),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary", id: "save-settings" }, "Save")),
    message,
    status
      ? h(
          "details",
          { class: "paths" },
          h("summary", null, "Where things are"),
          h(
            "dl",
            null,
            h("dt", null, "Index and imported libraries"),
            h("dd", { class: "mono" }, status.data_dir),
            h("dt", null, "Models"),
            h("dd", { class: "mono" }, status.models_dir),
            h("dt", null, "Bundled monographs"),
            h("dd", { class: "mono" }, status.corpus_dir),
          ),
        )
      : null,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const candidate = {
      model: file.checked ? { kind: "file", path: chosenPath } : { kind: "bundled" },
      answer_length: length.value,
      show_unverified: unverified.checked,
      theme: theme.value,
    };
    const checked = validateSettings(candidate);
    if (!checked.ok) {
      message.textContent = checked.errors.join("; ");
      message.className = "form-message error-text";
      return;
    }
    const error = await handlers.onSave(settingsRequest(checked.settings));
    message.textContent = error ?? "Saved.";
    message.className = error ? "form-message error-text" : "form-message";
  });
  return form;
}

/** An imported library's name is a folder name: as the engine's `library::check_name`. */
export function validateLibraryName(name: string): string | null {
  if (!name) return "give the library a name";
  if (name.length > 64) return "the name is too long (64 characters at most)";
  if (name === "bundled") return "“bundled” is the built-in library's name";
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) return "use lowercase letters, digits, - and _ (not first)";
  return null;
}

function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KB`;
  return `${n} B`;
}

/** "embedding 1200 / 4900", "reading labels 1.2 MB / 5.0 MB". */
export function progressText(p: ProgressInfo): string {
  if (!p.total) return `${p.stage}…`;
  const fmt = p.stage.startsWith("reading") ? formatBytes : String;
  return `${p.stage} ${fmt(p.done)} / ${fmt(p.total)}`;
}

export function summarizeImport(report: ImportReport): string {
  const parts = [
    `${plural(report.records, "label record")} read`,
    `${report.labels_added} added`,
    report.labels_updated ? `${report.labels_updated} updated` : null,
    report.labels_unchanged ? `${report.labels_unchanged} unchanged` : null,
    report.labels_older ? `${report.labels_older} older than the library's` : null,
    report.skipped_count ? `${report.skipped_count} skipped` : null,
  ].filter(Boolean);
  const failures = report.build?.failures ?? [];
  const failed = failures.length
    ? ` ${plural(failures.length, "document")} could not be indexed: ${failures
        .slice(0, 5)
        .map((f) => `${f.path}:${f.line}: ${f.message}`)
        .join("; ")}${failures.length > 5 ? ` and ${failures.length - 5} more` : ""}.`
    : "";
  return `Library “${report.library}”: ${parts.join(", ")}. It now holds ${plural(report.labels, "label")} on ${plural(report.drugs, "drug")}.${failed}`;
}

export interface ImportHandlers {
  onChoose(folder: boolean): Promise<string[] | null>;
  onImport(library: string): Promise<ImportReport | string>;
  onCancel(): void;
}

/** Import FDA labels (openFDA JSON, SPL XML, zip, gz): pick, name the library, import. */
export function renderImportPanel(handlers: ImportHandlers): HTMLElement {
  let chosen: string[] = [];
  const name = h("input", { type: "text", id: "import-library", value: "fda-labels", maxlength: 64, autocomplete: "off", spellcheck: "false" });
  const list = h("ul", { class: "import-paths mono", "aria-label": "Chosen files" });
  const message = h("div", { class: "form-message", role: "status", "aria-live": "polite" });
  const importButton = h("button", { type: "button", class: "primary", id: "import-start", disabled: true }, "Import");
  const cancelButton = h("button", { type: "button", id: "import-cancel", hidden: true }, "Cancel import");
  const choose = (folder: boolean) => async () => {
    const picked = await handlers.onChoose(folder);
    if (picked === null) return;
    chosen = picked;
    list.replaceChildren(...chosen.map((p) => h("li", null, p)));
    importButton.disabled = chosen.length === 0;
    message.textContent = chosen.length ? "" : "Nothing chosen.";
  };
  importButton.addEventListener("click", async () => {
    const problem = validateLibraryName(name.value.trim());
    if (problem) {
      message.textContent = problem;
      message.className = "form-message error-text";
      return;
    }
    importButton.disabled = true;
    cancelButton.hidden = false;
    message.className = "form-message";
    message.textContent = "Importing…";
    const result = await handlers.onImport(name.value.trim());
    cancelButton.hidden = true;
    if (typeof result === "string") {
      message.className = "form-message error-text";
      message.textContent = result;
      importButton.disabled = chosen.length === 0;
      return;
    }
    chosen = [];
    list.replaceChildren();
    message.replaceChildren(h("p", null, summarizeImport(result)));
    if (result.skipped.length) {
      const more = result.skipped_count - result.skipped.length;
      const items = result.skipped.map((s) => h("li", null, `${s.place}: ${s.reason}`));
      if (more > 0) items.push(h("li", null, `and ${more} more`));
      message.append(h("details", null, h("summary", null, "Skipped"), h("ul", null, items)));
    }
  });
  cancelButton.addEventListener("click", () => handlers.onCancel());
  return h(
    "section",
    { class: "import-panel", "aria-labelledby": "import-title" },
    h("h2", { id: "import-title" }, "Import FDA labels"),
    h("p", { class: "hint" }, "openFDA drug-label JSON (also zipped or gzipped) or SPL XML files. Imported labels are searched and cited beside the bundled monographs, with their set ID, version and date."),
    h("div", { class: "import-row" }, h("label", { for: "import-library" }, "Library name "), name),
    h(
      "div",
      { class: "import-row" },
      h("button", { type: "button", id: "import-choose-files", onclick: choose(false) }, "Choose files…"),
      h("button", { type: "button", id: "import-choose-folder", onclick: choose(true) }, "Choose a folder…"),
      importButton,
      cancelButton,
    ),
    list,
    message,
  );
}

/**
 * A progress bar with its percentage, the time left and the counts. The bar comes first and
 * every number after it has a fixed width in tabular figures, so nothing moves sideways as
 * the counts grow.
 */
function progressRow(p: ProgressInfo | null, label: string, remainingMs: number | null): HTMLElement {
  const percent = p ? percentText(p) : null;
  const bar = h("progress", { max: p && p.total ? p.total : null, value: p && p.total ? p.done : null, "aria-label": label });
  return h(
    "span",
    { class: "progress-row" },
    bar,
    h("span", { class: "progress-percent" }, percent ?? ""),
    h("span", { class: "progress-eta" }, percent ? (remainingMs === null ? ESTIMATING : remainingText(remainingMs)) : ""),
    h("span", { class: "progress-detail" }, p ? progressText(p) : ""),
  );
}

/** Why a question cannot be asked yet, or null when it can. */
export function notReadyText(status: Status | null, remainingMs: number | null = null): string | null {
  if (status?.index_ready) return null;
  if (status?.phase === "indexing") {
    const p = status.progress;
    const percent = p ? percentText(p) : null;
    const where = percent ? ` (${[percent, remainingMs === null ? null : remainingText(remainingMs)].filter(Boolean).join(", ")})` : "";
    return `The library is still being indexed${where}. You can ask once it is ready; your question stays in the box.`;
  }
  if (status?.phase === "failed" || status?.index_error) return "The library could not be loaded, so questions cannot be answered. See the message above.";
  return "DrugChatter is still starting. You can ask once the library is ready; your question stays in the box.";
}

/** The banner under the top bar: first-run progress, and errors that need attention. */
export function renderStatusBanner(status: Status, onCancelImport?: () => void, remainingMs: number | null = null): HTMLElement[] {
  const parts: HTMLElement[] = [];
  if (status.index_error) {
    parts.push(h("div", { class: "banner banner-error", role: "alert" }, h("strong", null, "The library could not be loaded. "), status.index_error));
  }
  if (status.index_failure_count > 0) {
    const more = status.index_failure_count - status.index_failures.length;
    parts.push(
      h(
        "div",
        { class: "banner banner-warning", role: "alert" },
        h("strong", null, `${plural(status.index_failure_count, "monograph")} could not be read and ${status.index_failure_count === 1 ? "is" : "are"} left out of the library: `),
        h("ul", { class: "failures mono" }, status.index_failures.map((f) => h("li", null, f))),
        more > 0 ? h("p", null, `and ${more} more (see the log).`) : null,
      ),
    );
  }
  if (status.phase === "starting") parts.push(h("div", { class: "banner" }, "Starting DrugChatter: loading the embedding model…"));
  if (status.phase === "indexing") {
    parts.push(
      h(
        "div",
        { class: "banner banner-progress" },
        h(
          "span",
          { class: "banner-message" },
          ...(status.first_index_build
            ? [h("strong", null, "First run: building the library index. "), "This takes a few minutes once; later starts take a second."]
            : [h("strong", null, "Checking the library index: "), "monographs that changed are indexed again."]),
        ),
        progressRow(status.progress, "Indexing progress", remainingMs),
      ),
    );
  }
  if (status.progress?.task === "importing") {
    const p = status.progress;
    parts.push(
      h(
        "div",
        { class: "banner banner-progress" },
        h("span", { class: "banner-message" }, h("strong", null, "Importing labels.")),
        progressRow(p, "Import progress", remainingMs),
        onCancelImport ? h("button", { type: "button", class: "banner-button", onclick: onCancelImport }, "Cancel import") : null,
      ),
    );
  }
  if (status.model_loading) parts.push(h("div", { class: "banner" }, "Loading the answer model…"));
  if (status.model_error) {
    parts.push(
      h(
        "div",
        { class: "banner banner-warning", role: "alert" },
        h("strong", null, "The answer model could not be loaded. "),
        status.model_error,
        " Answers quote the library instead; browsing and search still work.",
      ),
    );
  }
  return parts;
}

export function statusPillText(status: Status): string {
  if (status.phase === "failed") return "Not available";
  if (status.phase === "starting") return "Starting…";
  if (status.phase === "indexing") return "Indexing…";
  if (status.model_loading) return "Loading model…";
  const model = status.model ? status.model.replace(/\.gguf$/i, "") : "no model";
  return `Ready · ${status.drugs} drugs · ${model}`;
}
