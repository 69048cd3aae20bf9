// The history panel: every conversation the shell saved (across restarts) and this
// session's, newest first, each with Export (Markdown), Print and Delete, and "Clear all"
// behind a confirmation. A saved conversation from an earlier session opens in its own
// view; one of this session's scrolls the thread to the question.

import "./conversations.css";
import { renderAnswer, type AnswerHandlers } from "./answer";
import { renderStopped } from "./pending";
import { h } from "./dom";
import { conversationToMarkdown, answerToMarkdown, printEntries, type ExportEntry } from "./export";
import type { Entry, SessionHistory } from "./history";
import type { ExportKind, HistoryView, StoredConversation } from "./types";

/** What the panel needs of the shell (api.ts). */
export interface HistoryApi {
  conversations(): Promise<HistoryView>;
  deleteConversation(id: string): Promise<void>;
  clearConversations(): Promise<void>;
  exportMarkdown(markdown: string, kind: ExportKind): Promise<string | null>;
}

/** One conversation as the panel lists it. */
export interface HistoryGroup {
  key: string;
  /** This session's: its questions have cards in the thread. */
  live: boolean;
  /** When its last question was answered (saved ones only). */
  when: number | null;
  entries: (ExportEntry & { liveId?: number })[];
}

export interface HistoryPanelOptions {
  api: HistoryApi;
  session: SessionHistory;
  /** The `<ol>` of conversations, the text shown when it is empty, and the place for Clear all. */
  list: HTMLElement;
  empty: HTMLElement;
  tools: HTMLElement;
  announce(text: string): void;
  /** A question of this session: show its card. */
  onOpenLive(entryId: number): void;
  /** A question of an earlier session: show the saved conversation at it. */
  onOpenSaved(group: HistoryGroup, index: number): void;
  /** Entries of this session were deleted (their cards go); `current` if the ongoing conversation was among them. */
  onRemoved(entries: Entry[], current: boolean): void;
  print?: (entries: readonly ExportEntry[], title: string) => void;
  now?: () => number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Today, 09:05" or "4 Dec 2026, 23:40", in local time. */
export function formatWhen(ms: number, now: number): string {
  const d = new Date(ms);
  const today = new Date(now);
  const time = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? `Today, ${time}` : `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${time}`;
}

/**
 * The conversations to list, newest first: this session's (from the session, so a
 * question being answered shows), then the saved ones of earlier sessions.
 */
export function historyGroups(saved: readonly StoredConversation[], session: SessionHistory): HistoryGroup[] {
  const live = new Map<number, HistoryGroup>();
  for (const entry of session.all()) {
    let group = live.get(entry.conversation);
    if (!group) {
      group = { key: session.keyOf(entry.conversation), live: true, when: null, entries: [] };
      live.set(entry.conversation, group);
    }
    group.entries.push({ question: entry.question, state: entry.state, answer: entry.answer, error: entry.error, liveId: entry.id });
  }
  const liveKeys = new Set([...live.values()].map((g) => g.key));
  const earlier = saved
    .filter((c) => !liveKeys.has(c.id) && c.entries.length > 0)
    .map((c): HistoryGroup => ({ key: c.id, live: false, when: Math.max(...c.entries.map((e) => e.asked_at)), entries: c.entries }))
    .sort((a, b) => (b.when ?? 0) - (a.when ?? 0));
  return [...[...live.values()].reverse(), ...earlier];
}

const STATE_LABEL = { pending: "answering", cancelled: "stopped", error: "error" } as const;

function entryLabel(entry: ExportEntry): string {
  return entry.state === "done" ? (entry.answer?.status ?? "done") : STATE_LABEL[entry.state];
}

export class HistoryPanel {
  private saved: StoredConversation[] = [];
  private problem: string | null = null;
  private confirming = false;
  private readonly print: (entries: readonly ExportEntry[], title: string) => void;
  private readonly now: () => number;

  constructor(private readonly o: HistoryPanelOptions) {
    this.print = o.print ?? ((entries, title) => printEntries(entries, title));
    this.now = o.now ?? Date.now;
  }

  /** Reads the saved conversations from the shell, then lists them. */
  async refresh(): Promise<void> {
    try {
      const view = await this.o.api.conversations();
      this.saved = view.conversations;
      this.problem = view.problem;
    } catch (e) {
      this.problem = `The saved conversations could not be listed: ${(e as { message?: string }).message ?? String(e)}`;
    }
    this.render();
  }

  groups(): HistoryGroup[] {
    return historyGroups(this.saved, this.o.session);
  }

  render(): void {
    const groups = this.groups();
    this.o.empty.hidden = groups.length > 0;
    this.o.list.replaceChildren(...groups.map((g) => this.groupEl(g)));
    const problem = this.problem ? h("p", { class: "history-problem", role: "alert" }, this.problem) : null;
    const clearAll = groups.length ? this.clearAllEl() : null;
    this.o.tools.replaceChildren(...[problem, clearAll].filter((e): e is HTMLElement => e !== null));
  }

  private groupEl(group: HistoryGroup): HTMLElement {
    const title = group.live ? "This session" : formatWhen(group.when ?? 0, this.now());
    const first = group.entries[0]?.question ?? "";
    const busy = group.entries.some((e) => e.state === "pending");
    return h(
      "li",
      { class: "history-conversation", "data-conversation": group.key, "data-live": String(group.live) },
      h(
        "div",
        { class: "history-conversation-head" },
        h("span", { class: "history-when" }, title),
        h(
          "span",
          { class: "history-actions" },
          h("button", { type: "button", class: "link history-export", "aria-label": `Export the conversation “${first}” as Markdown`, disabled: busy, onclick: () => void this.exportGroup(group) }, "Export"),
          h("button", { type: "button", class: "link history-print", "aria-label": `Print the conversation “${first}” or save it as PDF`, disabled: busy, onclick: () => this.printGroup(group) }, "Print"),
          h("button", { type: "button", class: "link history-delete", "aria-label": `Delete the conversation “${first}”`, disabled: busy, onclick: () => void this.delete(group) }, "Delete"),
        ),
      ),
      h(
        "ol",
        { class: "history-questions" },
        group.entries.map((entry, index) =>
          h(
            "li",
            null,
            h(
              "button",
              {
                type: "button",
                class: `history-item state-${entry.state}`,
                "aria-label": `${entry.question} (${entryLabel(entry)})`,
                onclick: () => (entry.liveId !== undefined ? this.o.onOpenLive(entry.liveId) : this.o.onOpenSaved(group, index)),
              },
              entry.question,
            ),
          ),
        ),
      ),
    );
  }

  private clearAllEl(): HTMLElement {
    // An ask still running would save its outcome after the clearing.
    const busy = this.o.session.all().some((e) => e.state === "pending");
    if (!this.confirming || busy) {
      return h("button", { type: "button", class: "history-clear", disabled: busy, title: busy ? "Wait for the answer, or stop it, first" : null, onclick: () => this.setConfirming(true) }, "Clear all…");
    }
    return h(
      "div",
      { class: "history-confirm", role: "group", "aria-label": "Confirm clearing the history" },
      h("p", { id: "history-confirm-text" }, "Delete every saved conversation? This cannot be undone."),
      h("button", { type: "button", class: "danger history-clear-confirm", "aria-describedby": "history-confirm-text", onclick: () => void this.clearAll() }, "Delete all"),
      h("button", { type: "button", class: "history-clear-cancel", onclick: () => this.setConfirming(false) }, "Cancel"),
    );
  }

  private setConfirming(confirming: boolean) {
    this.confirming = confirming;
    this.render();
    this.o.tools.querySelector<HTMLElement>(confirming ? ".history-clear-cancel" : ".history-clear")?.focus();
  }

  /** Deletes one conversation: from the file, and its cards if it is this session's. */
  async delete(group: HistoryGroup): Promise<void> {
    const saved = this.saved.some((c) => c.id === group.key);
    try {
      if (saved) await this.o.api.deleteConversation(group.key);
    } catch (e) {
      this.o.announce(`Could not delete the conversation: ${(e as { message?: string }).message ?? String(e)}`);
      return;
    }
    this.saved = this.saved.filter((c) => c.id !== group.key);
    const conversation = this.o.session.conversationWithKey(group.key);
    const current = conversation === this.o.session.conversation;
    const removed = conversation === undefined ? [] : this.o.session.removeConversation(conversation);
    // Listed first, so the pressed button is gone when the cards go and focus moves on.
    this.render();
    if (conversation !== undefined) this.o.onRemoved(removed, current);
    this.o.announce("Conversation deleted.");
  }

  /** Deletes every conversation, saved and this session's. Only from the confirmation. */
  async clearAll(): Promise<void> {
    try {
      await this.o.api.clearConversations();
    } catch (e) {
      this.o.announce(`Could not clear the history: ${(e as { message?: string }).message ?? String(e)}`);
      return;
    }
    this.saved = [];
    this.problem = null;
    this.confirming = false;
    const removed = this.o.session.clear();
    this.render();
    this.o.onRemoved(removed, true);
    this.o.announce("History cleared.");
  }

  private title(group: HistoryGroup): string | null {
    return group.when === null ? null : formatWhen(group.when, this.now());
  }

  async exportGroup(group: HistoryGroup): Promise<void> {
    await this.save(conversationToMarkdown(group.entries, this.title(group)), "conversation");
  }

  printGroup(group: HistoryGroup): void {
    this.print(group.entries, "DrugChatter conversation");
  }

  async exportAnswer(entry: ExportEntry): Promise<void> {
    await this.save(answerToMarkdown(entry), "answer");
  }

  printAnswer(entry: ExportEntry): void {
    this.print([entry], "DrugChatter answer");
  }

  private async save(markdown: string, kind: ExportKind): Promise<void> {
    try {
      const path = await this.o.api.exportMarkdown(markdown, kind);
      this.o.announce(path ? `Saved to ${path}.` : "Export cancelled.");
    } catch (e) {
      this.o.announce(`Could not export: ${(e as { message?: string }).message ?? String(e)}`);
    }
  }
}

/** Export and Print buttons for an answer card's actions. */
export function answerExportButtons(onExport: () => void, onPrint: () => void): HTMLElement[] {
  return [
    h("button", { type: "button", class: "export-answer", onclick: onExport }, "Export Markdown"),
    h("button", { type: "button", class: "print-answer", title: "Print the answer, or save it as PDF from the print dialog", onclick: onPrint }, "Print / PDF"),
  ];
}

/** A saved conversation of an earlier session, read-only, with its actions. */
export function renderSavedConversation(
  group: HistoryGroup,
  title: string,
  handlers: AnswerHandlers,
  actions: { onBack(): void; onExport(): void; onPrint(): void; onDelete(): void },
): HTMLElement {
  const cards = group.entries.map((entry) => {
    if (entry.state === "done" && entry.answer) {
      try {
        return renderAnswer(entry.answer, handlers);
      } catch {
        // Saved by a version whose answers this one cannot draw.
        return renderStopped(entry.question, "This answer was saved by another version of DrugChatter and cannot be shown.", "error");
      }
    }
    const message = entry.state === "cancelled" ? "Stopped before an answer." : `Not answered: ${entry.error ?? "an error occurred"}`;
    return renderStopped(entry.question, message, entry.state === "cancelled" ? "cancelled" : "error");
  });
  return h(
    "div",
    { class: "saved-conversation", "data-conversation": group.key },
    h(
      "div",
      { class: "saved-conversation-bar" },
      h("button", { type: "button", class: "back", onclick: actions.onBack }, "← Back"),
      h("h1", { tabindex: "-1" }, `Conversation of ${title}`),
      h(
        "span",
        { class: "saved-conversation-actions" },
        h("button", { type: "button", class: "saved-export", onclick: actions.onExport }, "Export Markdown"),
        h("button", { type: "button", class: "saved-print", onclick: actions.onPrint }, "Print / PDF"),
        h("button", { type: "button", class: "danger saved-delete", onclick: actions.onDelete }, "Delete"),
      ),
    ),
    h("div", { class: "thread saved-thread" }, cards),
  );
}
