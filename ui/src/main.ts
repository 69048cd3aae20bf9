// DrugChatter's UI: wiring the views to the shell. Pure logic lives in answer.ts,
// monograph.ts, autocomplete.ts, settings.ts and history.ts (unit-tested); this file
// holds the state and the event handlers.

import "./styles.css";
import * as api from "./api";
import { abstentionText, answerPlainText, excerpt, renderAnswer, sourceLabel, type AnswerContext, type AnswerHandlers } from "./answer";
import { attachCombobox } from "./autocomplete";
import { $, clear, h } from "./dom";
import { answerExportButtons, formatWhen, HistoryPanel, renderSavedConversation, type HistoryGroup } from "./conversations";
import { SessionHistory, type Entry } from "./history";
import { renderClassPage } from "./classpage";
import { followSections, renderMonograph } from "./monograph";
import { renderPending, renderStopped, settleCard } from "./pending";
import { ProgressClock } from "./progress";
import { applyTheme, DEFAULT_SETTINGS } from "./settings";
import type { AppError, ClassPage, DrugSummary, MonographView, Settings, Source, Span, Status } from "./types";
import { notReadyText, renderImportPanel, renderLibrary, renderSearch, renderSettings, renderStatusBanner, statusPillText } from "./views";
import { plural } from "./words";

type View = "ask" | "monograph" | "class" | "library" | "search" | "settings" | "conversation";

/** For the length hint only: the engine's rule decides, and its error is shown. */
const MAX_QUESTION_CHARS = 2000;

const state = {
  status: null as Status | null,
  drugs: [] as DrugSummary[],
  settings: DEFAULT_SETTINGS as Settings,
  history: new SessionHistory(),
  /** The entry being answered, if any. */
  asking: null as number | null,
  view: "ask" as View,
  previousView: "ask" as View,
  monographs: new Map<string, MonographView>(),
  classPages: new Map<string, ClassPage>(),
  /** The view a class page was opened from, for its Back. */
  classReturn: "ask" as View,
  /** Times the current stage of the index build or import, for the time left. */
  progressClock: new ProgressClock(),
  /** Stops the profile's table of contents following the scroll. */
  stopFollowingSections: () => {},
  /** What had the focus when a profile opened (a citation), to return to on Back. */
  profileOpener: null as HTMLElement | null,
};

const el = {
  thread: $("#thread"),
  intro: $("#intro"),
  form: $("#ask-form") as HTMLFormElement,
  question: $("#question") as HTMLTextAreaElement,
  askButton: $("#ask-button") as HTMLButtonElement,
  stopButton: $("#stop-button") as HTMLButtonElement,
  askMessage: $("#ask-message"),
  count: $("#question-count"),
  followUpHint: $("#follow-up-hint"),
  historyList: $("#history-list"),
  historyEmpty: $("#history-empty"),
  historyTools: $("#history-tools"),
  newConversation: $("#new-conversation") as HTMLButtonElement,
  banner: $("#status-banner"),
  pill: $("#status-pill"),
  tooltip: $("#tooltip"),
  announcer: $("#announcer"),
  drugSearch: $("#drug-search") as HTMLInputElement,
  drugListbox: $("#drug-search-listbox"),
  views: {
    ask: $("#view-ask"),
    monograph: $("#view-monograph"),
    class: $("#view-class"),
    library: $("#view-library"),
    search: $("#view-search"),
    settings: $("#view-settings"),
    conversation: $("#view-conversation"),
  } as Record<View, HTMLElement>,
};

function announce(text: string) {
  el.announcer.textContent = "";
  window.setTimeout(() => (el.announcer.textContent = text), 30);
}

// ---- views ---------------------------------------------------------------------------

function show(view: View) {
  if (view !== state.view && view !== "monograph") state.previousView = view;
  if (state.view !== "monograph" && view === "monograph") state.previousView = state.view;
  state.view = view;
  document.body.dataset.view = view;
  for (const [name, section] of Object.entries(el.views)) section.hidden = name !== view;
  for (const button of document.querySelectorAll<HTMLButtonElement>(".views-nav button")) {
    if (button.dataset.view === view) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  hideTooltip();
}

for (const button of document.querySelectorAll<HTMLButtonElement>(".views-nav button")) {
  button.addEventListener("click", () => {
    const view = button.dataset.view as View;
    if (view === "library") void openLibrary();
    else if (view === "settings") openSettings();
    else {
      show("ask");
      el.question.focus();
    }
  });
}

// ---- status --------------------------------------------------------------------------

/** The time left of the current stage of long work, in ms, or null while unknown. */
function remainingMs(): number | null {
  const p = state.status?.progress;
  return p ? state.progressClock.remainingMs(p) : null;
}

function onStatus(status: Status) {
  const wasReady = state.status?.index_ready ?? false;
  state.status = status;
  if (status.progress) state.progressClock.sample(status.progress, performance.now());
  document.body.dataset.phase = status.phase;
  document.body.dataset.indexReady = String(status.index_ready);
  document.body.dataset.timings = JSON.stringify(status.timings);
  document.body.dataset.model = status.model_loading ? "loading" : status.model ? "loaded" : status.model_error ? "error" : "none";
  el.pill.textContent = statusPillText(status);
  const parts = renderStatusBanner(status, () => void api.cancelImport().catch(() => undefined), remainingMs());
  el.banner.replaceChildren(...parts);
  el.banner.hidden = parts.length === 0;
  updateAskControls();
  if (status.index_ready && !wasReady) void becameReady();
  if (state.view === "settings") openSettings();
}

/** The index is there: load the drug list, and show the library if it said it was not ready. */
async function becameReady() {
  await loadDrugs();
  if (state.view === "library") await openLibrary();
  showAskMessage(null);
}

async function loadDrugs() {
  try {
    state.drugs = await api.drugs();
  } catch (e) {
    console.warn("drug list", e);
  }
}

// ---- asking --------------------------------------------------------------------------

function updateAskControls() {
  const busy = state.asking !== null;
  const ready = state.status?.index_ready ?? false;
  // Not ready: Ask looks disabled but can still be pressed, and says why (showAskMessage).
  // Busy: the one Stop button is offered and Ask is disabled until the answer settles.
  el.askButton.disabled = busy;
  el.askButton.setAttribute("aria-disabled", String(!ready || busy));
  el.stopButton.hidden = !busy;
  // The not-ready message is not rewritten on every progress update: it is a live region.
  if (ready && el.askMessage.dataset.reason === "not-ready") showAskMessage(null);
  document.body.dataset.asking = String(busy);
  const length = [...el.question.value].length;
  el.count.textContent = length > MAX_QUESTION_CHARS * 0.8 ? `${length} / ${MAX_QUESTION_CHARS}` : "";
  el.followUpHint.textContent = state.history.isFollowUp() ? "Follow-up: questions that name no drug continue the conversation." : "";
}

/** A visible message under the question box (why a question cannot be asked now), or none. */
function showAskMessage(text: string | null, reason = "") {
  el.askMessage.textContent = text ?? "";
  el.askMessage.dataset.reason = text ? reason : "";
}

function answerContext(): AnswerContext {
  return {
    modelLoaded: Boolean(state.status?.model),
    namesOf: (slug) => state.drugs.find((d) => d.slug === slug)?.synonyms ?? [],
  };
}

const answerHandlers: AnswerHandlers = {
  onCite: (source) => void openSource(source),
  onCiteHover: (source, anchor) => showTooltip(source, anchor),
  onCiteLeave: () => hideTooltip(),
  onProfile: (link) => void openMonograph(link.library, link.drug_slug, null),
  onClass: (name) => void openClass(name),
  onOtherQuestion: (question) => void submit(question),
  onCopy: (answer) => void copy(answerPlainText(answer)),
};

async function submit(raw: string) {
  const question = raw.trim();
  if (!question) {
    showAskMessage("Type a question first.", "empty");
    el.question.focus();
    return;
  }
  show("ask");
  el.intro.hidden = true;
  el.question.value = "";
  const followUp = state.history.isFollowUp();
  const conversationKey = state.history.keyOf();
  const entry = state.history.add(question);
  state.asking = entry.id;
  updateAskControls();
  renderHistory();

  const pending = renderPending(question, { showDraft: state.settings.show_unverified });
  pending.card.id = `entry-${entry.id}`;
  el.thread.append(pending.card);
  pending.card.scrollIntoView({ block: "end" });

  let card: HTMLElement;
  try {
    const answer = await api.ask(question, followUp, conversationKey, (event) => {
      pending.onEvent(event);
      if (event.event === "draft" && state.settings.show_unverified && isNearBottom()) pending.card.scrollIntoView({ block: "end" });
    });
    state.history.settle(entry.id, { state: "done", answer });
    card = renderAnswer(answer, answerHandlers, answerContext());
    const exported = { question, state: "done" as const, answer };
    const actions = card.querySelector(".answer-actions") ?? card;
    actions.append(...answerExportButtons(() => void historyPanel.exportAnswer(exported), () => historyPanel.printAnswer(exported)));
    announce(answer.status === "abstained" ? "No answer: " + abstentionText(answer.abstention) : "Answer ready.");
  } catch (e) {
    const error = e as AppError;
    if (error.kind === "cancelled") {
      state.history.settle(entry.id, { state: "cancelled" });
      card = renderStopped(question, "Stopped. The unfinished draft was not checked against the sources, so it is not shown.", "cancelled");
      announce("Stopped.");
    } else {
      state.history.settle(entry.id, { state: "error", error: error.message });
      card = renderStopped(question, error.message, "error");
      announce(`Error: ${error.message}`);
    }
  }
  // Filled in place: the card's body is the live region that announces the answer.
  card = settleCard(pending, card);
  if (state.asking === entry.id) state.asking = null;
  updateAskControls();
  // The shell has saved the outcome by now: list the file's view of it.
  void historyPanel.refresh();
  if (state.view === "ask") card.scrollIntoView({ block: "start" });
}

function isNearBottom(): boolean {
  const t = el.thread;
  return t.scrollHeight - t.scrollTop - t.clientHeight < 120;
}

async function stop() {
  await api.cancelAsk().catch(() => undefined);
}

el.form.addEventListener("submit", (e) => {
  e.preventDefault();
  const notReady = notReadyText(state.status, remainingMs());
  if (notReady) {
    showAskMessage(notReady, "not-ready");
  } else if (state.asking !== null) {
    showAskMessage("An answer is being written. Press Stop (or Escape) to ask something else.", "busy");
  } else {
    showAskMessage(null);
    void submit(el.question.value);
  }
});
el.question.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    el.form.requestSubmit();
  }
});
el.question.addEventListener("input", () => {
  if (el.askMessage.dataset.reason === "busy" || el.askMessage.dataset.reason === "empty") showAskMessage(null);
  updateAskControls();
});
el.stopButton.addEventListener("click", () => void stop());
for (const chip of document.querySelectorAll<HTMLButtonElement>(".example")) {
  chip.addEventListener("click", () => {
    el.question.value = chip.textContent ?? "";
    el.form.requestSubmit();
  });
}
el.newConversation.addEventListener("click", () => {
  state.history.newConversation();
  void api.newConversation().catch(() => undefined);
  if (el.thread.lastElementChild && !el.thread.lastElementChild.classList.contains("conversation-break")) {
    el.thread.append(h("div", { class: "conversation-break", role: "separator" }, "New conversation"));
  }
  updateAskControls();
  renderHistory();
  show("ask");
  el.question.focus();
  announce("New conversation started.");
});

const historyPanel = new HistoryPanel({
  api,
  session: state.history,
  list: el.historyList,
  empty: el.historyEmpty,
  tools: el.historyTools,
  announce,
  onOpenLive: (id) => {
    show("ask");
    const card = document.getElementById(`entry-${id}`);
    card?.scrollIntoView({ block: "start" });
    card?.querySelector<HTMLElement>(".question")?.focus();
  },
  onOpenSaved: (group, index) => openSavedConversation(group, index),
  onRemoved: (entries, current) => removeCards(entries, current),
});

function renderHistory() {
  historyPanel.render();
}

/** Takes deleted questions' cards out of the thread; a deleted current conversation starts afresh. */
function removeCards(entries: Entry[], current: boolean) {
  for (const entry of entries) document.getElementById(`entry-${entry.id}`)?.remove();
  for (const separator of el.thread.querySelectorAll(".conversation-break")) {
    const next = separator.nextElementSibling;
    if (!next || next.classList.contains("conversation-break")) separator.remove();
  }
  if (current) {
    void api.newConversation().catch(() => undefined);
    updateAskControls();
  }
  if (!el.thread.querySelector(".answer")) el.intro.hidden = false;
  if (state.view === "conversation") show("ask");
  // The button that deleted them is gone with them: keyboard users continue from the question box.
  if (!document.activeElement || document.activeElement === document.body) el.question.focus();
}

function openSavedConversation(group: HistoryGroup, index: number) {
  const content = renderSavedConversation(group, formatWhen(group.when ?? 0, Date.now()), answerHandlers, {
    onBack: () => show("ask"),
    onExport: () => void historyPanel.exportGroup(group),
    onPrint: () => historyPanel.printGroup(group),
    onDelete: () => void historyPanel.delete(group).then(() => show("ask")),
  });
  el.views.conversation.replaceChildren(content);
  show("conversation");
  const card = content.querySelectorAll<HTMLElement>(".answer")[index];
  card?.scrollIntoView({ block: "start" });
  (card?.querySelector<HTMLElement>(".question") ?? content.querySelector<HTMLElement>("h1"))?.focus();
}

async function copy(text: string) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    const area = h("textarea", { class: "visually-hidden", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
  }
  announce(ok ? "Answer copied with its citations." : "Could not copy to the clipboard.");
}

// ---- citations -----------------------------------------------------------------------

function showTooltip(source: Source, anchor: HTMLElement) {
  const tip = el.tooltip;
  tip.replaceChildren(h("strong", null, `[${source.n}] ${sourceLabel(source)}`), h("p", null, excerpt(source.text, 480)), h("p", { class: "muted" }, "Click to open the monograph here."));
  tip.hidden = false;
  const rect = anchor.getBoundingClientRect();
  const width = Math.min(440, window.innerWidth - 24);
  const left = Math.max(12, Math.min(rect.left, window.innerWidth - width - 12));
  tip.style.width = `${width}px`;
  tip.style.left = `${left}px`;
  const below = rect.bottom + 8;
  tip.style.top = `${below}px`;
  const height = tip.getBoundingClientRect().height;
  if (below + height > window.innerHeight - 8) tip.style.top = `${Math.max(8, rect.top - height - 8)}px`;
  anchor.setAttribute("aria-describedby", "tooltip");
}

function hideTooltip() {
  el.tooltip.hidden = true;
  document.querySelector("[aria-describedby='tooltip']")?.removeAttribute("aria-describedby");
}

async function openSource(source: Source) {
  await openMonograph(source.library, source.drug_slug, source.span);
}

/** Leaves the profile for the view it was opened from, focus back where it was (a citation). */
function closeMonograph() {
  show(state.previousView === "monograph" ? "ask" : state.previousView);
  const opener = state.profileOpener;
  state.profileOpener = null;
  if (opener?.isConnected) opener.focus();
}

async function openMonograph(library: string, slug: string, highlight: Span | null) {
  hideTooltip();
  if (state.view !== "monograph" && document.activeElement instanceof HTMLElement && document.activeElement !== document.body) {
    state.profileOpener = document.activeElement;
  }
  const key = `${library}/${slug}`;
  let view = state.monographs.get(key);
  if (!view) {
    try {
      view = await api.monograph(library, slug);
      state.monographs.set(key, view);
    } catch (e) {
      announce(`Could not open the monograph: ${(e as AppError).message}`);
      return;
    }
  }
  const { el: content, target } = renderMonograph(view, highlight, {
    onBack: closeMonograph,
    onAsk: (q) => void submit(q),
  });
  const container = el.views.monograph;
  state.stopFollowingSections();
  clear(container);
  container.append(content);
  show("monograph");
  state.stopFollowingSections = followSections(content, container);
  if (target) {
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  } else {
    container.scrollTop = 0;
    content.querySelector<HTMLElement>(".mono-title")?.setAttribute("tabindex", "-1");
    content.querySelector<HTMLElement>(".mono-title")?.focus();
  }
}

/** A drug class's page; Back returns to the view it was opened from. */
async function openClass(name: string) {
  hideTooltip();
  let page = state.classPages.get(name);
  if (!page) {
    try {
      page = await api.drugClass(name);
      state.classPages.set(name, page);
    } catch (e) {
      announce(`Could not open the class page: ${(e as AppError).message}`);
      return;
    }
  }
  if (state.view !== "class") state.classReturn = state.view === "monograph" ? state.previousView : state.view;
  const content = renderClassPage(page, {
    onBack: closeClass,
    onMember: (m) => void openMonograph(m.library, m.slug, null),
    onCite: (line) => void openMonograph(line.library, line.drug_slug, line.span),
    onAsk: (q) => void submit(q),
  });
  el.views.class.replaceChildren(content);
  show("class");
  el.views.class.scrollTop = 0;
  content.querySelector<HTMLElement>(".class-title")?.focus();
}

function closeClass() {
  show(state.classReturn === "class" ? "ask" : state.classReturn);
}

// ---- drug search, library, settings --------------------------------------------------

attachCombobox({
  input: el.drugSearch,
  listbox: el.drugListbox,
  source: () => state.drugs,
  onSelect: (drug) => void openMonograph(drug.library, drug.slug, null),
  onSearch: (text) => void searchPassages(text),
  unavailable: () => (state.status?.index_ready ? null : "The library is still being indexed: drug search works once it is ready."),
});

async function searchPassages(text: string) {
  try {
    const results = await api.search(text, 10);
    const content = renderSearch(
      results,
      (hit) => void openMonograph(hit.library, hit.drug_slug, hit.span),
      (q) => void submit(q),
    );
    el.views.search.replaceChildren(content);
    show("search");
  } catch (e) {
    announce(`Search failed: ${(e as AppError).message}`);
  }
}

async function openLibrary() {
  try {
    const [infos, drugs, classes] = await Promise.all([api.libraries(), api.drugs(), api.drugClasses()]);
    state.drugs = drugs;
    state.classPages.clear();
    el.views.library.replaceChildren(
      renderLibrary(infos, drugs, (d) => void openMonograph(d.library, d.slug, null), importPanel(), async (info) => {
        try {
          await api.removeLibrary(info.name);
        } catch (e) {
          return (e as AppError).message;
        }
        state.monographs.clear();
        announce(`Removed the library “${info.name}”.`);
        void openLibrary();
        return null;
      }, { classes, onOpen: (c) => void openClass(c.name) }),
    );
    if (state.view !== "library") el.views.library.scrollTop = 0;
  } catch (e) {
    el.views.library.replaceChildren(h("div", { class: "library" }, h("h1", null, "Library"), h("p", { class: "error-text" }, (e as AppError).message)));
  }
  show("library");
}

let importPanelEl: HTMLElement | null = null;

/** The import panel is made once and kept, so its report survives the library's refresh. */
function importPanel(): HTMLElement {
  importPanelEl ??= renderImportPanel({
    onChoose: async (folder) => {
      try {
        return await api.chooseImportPaths(folder);
      } catch (e) {
        announce((e as AppError).message);
        return null;
      }
    },
    onImport: async (library) => {
      try {
        const report = await api.importLibrary(library);
        state.monographs.clear();
        announce(`Import finished: ${plural(report.labels_added, "label")} added.`);
        if (state.view === "library") void openLibrary();
        return report;
      } catch (e) {
        const error = e as AppError;
        return error.kind === "cancelled" ? "Import cancelled; the library is unchanged." : error.message;
      }
    },
    onCancel: () => void api.cancelImport().catch(() => undefined),
  });
  return importPanelEl;
}

function openSettings() {
  // A status update re-renders the form: keep the focus on the control that had it. Only a
  // control of the form: focusing anything else again (the question box, hidden now, or the
  // drug search) is not wanted.
  const active = document.activeElement;
  const focused = active && el.views.settings.contains(active) ? active.id : null;
  const form = renderSettings(state.settings, state.status, {
    onSave: async (settings) => {
      try {
        state.settings = await api.setSettings(settings);
        applyTheme(state.settings.theme);
        return null;
      } catch (e) {
        return (e as AppError).message;
      }
    },
    onChooseModel: async () => {
      try {
        return await api.chooseModelFile();
      } catch (e) {
        announce((e as AppError).message);
        return null;
      }
    },
  });
  el.views.settings.replaceChildren(form);
  show("settings");
  if (focused) document.getElementById(focused)?.focus();
}

// ---- keyboard ------------------------------------------------------------------------

document.addEventListener("keydown", (e) => {
  const target = e.target as HTMLElement;
  const typing = target.matches("input, textarea, select, [contenteditable]");
  if (e.key === "/" && !typing) {
    e.preventDefault();
    el.drugSearch.focus();
  } else if (e.key === "Escape") {
    if (!el.tooltip.hidden) hideTooltip();
    else if (state.asking !== null) void stop();
    else if (state.view === "monograph") closeMonograph();
    else if (state.view === "class") closeClass();
    else if (state.view === "conversation") show("ask");
  }
});
window.addEventListener("scroll", hideTooltip, true);

// ---- start ---------------------------------------------------------------------------

async function start() {
  show("ask");
  updateAskControls();
  try {
    state.settings = await api.getSettings();
  } catch {
    state.settings = DEFAULT_SETTINGS;
  }
  applyTheme(state.settings.theme);
  void historyPanel.refresh();
  try {
    onStatus(await api.subscribeStatus(onStatus));
  } catch (e) {
    el.banner.replaceChildren(h("div", { class: "banner banner-error", role: "alert" }, `Cannot reach the DrugChatter engine: ${(e as AppError).message}`));
    el.banner.hidden = false;
  }
  el.question.focus();
}

void start();
