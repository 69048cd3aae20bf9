import { describe, expect, it, vi } from "vitest";
import type { AnswerHandlers } from "./answer";
import { answerExportButtons, formatWhen, historyGroups, HistoryPanel, renderSavedConversation, type HistoryApi, type HistoryGroup } from "./conversations";
import { abstention, imiquimodAnswer } from "./fixtures/answer";
import { SessionHistory, type Entry } from "./history";
import type { Answer, StoredConversation, StoredEntry } from "./types";

const NOW = new Date(2026, 11, 4, 23, 40).getTime();

function stored(question: string, at: number, answer: Answer | null = imiquimodAnswer()): StoredEntry {
  return { question, asked_at: at, state: answer ? "done" : "cancelled", answer, error: null };
}

/** An in-memory shell: the saved conversations, and what was exported. */
function fakeApi(saved: StoredConversation[], problem: string | null = null) {
  const exported: [string, string][] = [];
  let exportResult: () => Promise<string | null> = async () => "/home/me/DrugChatter answer.md";
  const api: HistoryApi & { saved: StoredConversation[] } = {
    saved,
    conversations: vi.fn(async () => ({ conversations: structuredClone(api.saved), problem })),
    deleteConversation: vi.fn(async (id: string) => {
      api.saved = api.saved.filter((c) => c.id !== id);
    }),
    clearConversations: vi.fn(async () => {
      api.saved = [];
    }),
    exportMarkdown: vi.fn(async (markdown: string, kind: string) => {
      exported.push([kind, markdown]);
      return exportResult();
    }),
  };
  return { api, exported, failExport: (f: () => Promise<string | null>) => (exportResult = f) };
}

function keys(prefix = "k"): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

function panel(api: HistoryApi, session = new SessionHistory(keys())) {
  const list = document.createElement("ol");
  const empty = document.createElement("p");
  const tools = document.createElement("div");
  const announced: string[] = [];
  const removed: { entries: Entry[]; current: boolean }[] = [];
  const opened: string[] = [];
  const printed: string[] = [];
  const p = new HistoryPanel({
    api,
    session,
    list,
    empty,
    tools,
    announce: (t) => announced.push(t),
    onOpenLive: (id) => opened.push(`live ${id}`),
    onOpenSaved: (g, i) => opened.push(`saved ${g.key} ${i}`),
    onRemoved: (entries, current) => removed.push({ entries, current }),
    print: (entries, title) => printed.push(`${title}: ${entries.map((e) => e.question).join(", ")}`),
    now: () => NOW,
  });
  return { p, list, empty, tools, announced, removed, opened, printed, session };
}

const titles = (list: HTMLElement) =>
  [...list.querySelectorAll(".history-conversation")].map((g) => [
    g.querySelector(".history-when")?.textContent,
    [...g.querySelectorAll(".history-item")].map((b) => b.textContent),
  ]);

describe("formatWhen", () => {
  it("says today's time, or the date", () => {
    expect(formatWhen(new Date(2026, 11, 4, 9, 5).getTime(), NOW)).toBe("Today, 09:05");
    expect(formatWhen(new Date(2026, 10, 30, 23, 59).getTime(), NOW)).toBe("30 Nov 2026, 23:59");
  });
});

describe("historyGroups", () => {
  it("lists this session's conversations newest first, then earlier saved ones newest first, each once", () => {
    const session = new SessionHistory(keys());
    const a = session.add("How does imiquimod work?");
    session.settle(a.id, { state: "done", answer: imiquimodAnswer() });
    session.newConversation();
    session.add("Aldara side effects"); // pending
    const saved = [
      { id: "old", entries: [stored("Old question", NOW - 5000)] },
      { id: "k1", entries: [stored("How does imiquimod work?", NOW - 10)] },
      { id: "newer", entries: [stored("Newer question", NOW - 100)] },
      { id: "empty", entries: [] },
    ];
    const groups = historyGroups(saved, session);
    expect(groups.map((g) => [g.key, g.live, g.entries.map((e) => e.question)])).toEqual([
      ["k2", true, ["Aldara side effects"]],
      ["k1", true, ["How does imiquimod work?"]],
      ["newer", false, ["Newer question"]],
      ["old", false, ["Old question"]],
    ]);
    expect(groups[0].entries[0]).toMatchObject({ state: "pending", liveId: 2 });
  });
});

describe("HistoryPanel", () => {
  it("lists what the shell saved across restarts, and why a saved file could not be read", async () => {
    const { api } = fakeApi([{ id: "c1", entries: [stored("How does imiquimod work?", NOW - 60_000), stored("Stopped one", NOW - 30_000, null)] }], "the saved conversations could not be read");
    const { p, list, empty, tools, opened } = panel(api);
    await p.refresh();
    expect(titles(list)).toEqual([["Today, 23:39", ["How does imiquimod work?", "Stopped one"]]]);
    expect(empty.hidden).toBe(true);
    expect(tools.querySelector(".history-problem")?.textContent).toContain("could not be read");
    expect(list.querySelectorAll(".history-item")[1].getAttribute("aria-label")).toBe("Stopped one (stopped)");
    list.querySelectorAll<HTMLButtonElement>(".history-item")[1].click();
    expect(opened).toEqual(["saved c1 1"]);
  });

  it("starts empty when nothing is saved, and says so when the list cannot be read", async () => {
    const { api } = fakeApi([]);
    const { p, list, empty, tools } = panel(api);
    await p.refresh();
    expect(list.children).toHaveLength(0);
    expect(empty.hidden).toBe(false);
    expect(tools.querySelector(".history-clear")).toBeNull();
    api.conversations = async () => Promise.reject({ kind: "io", message: "disk gone" });
    await p.refresh();
    expect(tools.querySelector(".history-problem")?.textContent).toBe("The saved conversations could not be listed: disk gone");
  });

  it("deletes one saved conversation, in the file and the list", async () => {
    const { api } = fakeApi([
      { id: "a", entries: [stored("First", NOW - 2000)] },
      { id: "b", entries: [stored("Second", NOW - 1000)] },
    ]);
    const { p, list, announced, removed } = panel(api);
    await p.refresh();
    list.querySelector<HTMLButtonElement>('[data-conversation="b"] .history-delete')?.click();
    await vi.waitFor(() => expect(api.deleteConversation).toHaveBeenCalledWith("b"));
    await vi.waitFor(() => expect(titles(list)).toEqual([["Today, 23:39", ["First"]]]));
    expect(api.saved.map((c) => c.id)).toEqual(["a"]);
    expect(removed).toEqual([]);
    expect(announced).toEqual(["Conversation deleted."]);
  });

  it("deleting this session's conversation takes its questions out and starts a new one", async () => {
    const session = new SessionHistory(keys());
    const e = session.add("How does imiquimod work?");
    session.settle(e.id, { state: "done", answer: imiquimodAnswer() });
    const { api } = fakeApi([{ id: "k1", entries: [stored("How does imiquimod work?", NOW)] }]);
    const { p, list, removed } = panel(api, session);
    await p.refresh();
    expect(titles(list)).toEqual([["This session", ["How does imiquimod work?"]]]);
    await p.delete(p.groups()[0]);
    expect(api.deleteConversation).toHaveBeenCalledWith("k1");
    expect(removed).toEqual([{ entries: [expect.objectContaining({ id: e.id })], current: true }]);
    expect(session.all()).toHaveLength(0);
    expect(session.keyOf()).toBe("k2");
    expect(list.children).toHaveLength(0);
  });

  it("a failed delete keeps the conversation and says why", async () => {
    const { api } = fakeApi([{ id: "a", entries: [stored("First", NOW)] }]);
    api.deleteConversation = async () => Promise.reject({ kind: "io", message: "read-only disk" });
    const { p, list, announced } = panel(api);
    await p.refresh();
    await p.delete(p.groups()[0]);
    expect(list.children).toHaveLength(1);
    expect(announced).toEqual(["Could not delete the conversation: read-only disk"]);
  });

  it("clears everything only after a confirmation, which can be cancelled", async () => {
    const session = new SessionHistory(keys());
    const asked = session.add("This session's question");
    session.settle(asked.id, { state: "done", answer: imiquimodAnswer() });
    const { api } = fakeApi([{ id: "a", entries: [stored("First", NOW)] }]);
    const { p, list, tools, removed, announced } = panel(api, session);
    await p.refresh();
    tools.querySelector<HTMLButtonElement>(".history-clear")?.click();
    expect(api.clearConversations).not.toHaveBeenCalled();
    expect(tools.querySelector(".history-confirm")?.textContent).toContain("cannot be undone");
    tools.querySelector<HTMLButtonElement>(".history-clear-cancel")?.click();
    expect(tools.querySelector(".history-confirm")).toBeNull();
    expect(api.clearConversations).not.toHaveBeenCalled();
    tools.querySelector<HTMLButtonElement>(".history-clear")?.click();
    tools.querySelector<HTMLButtonElement>(".history-clear-confirm")?.click();
    await vi.waitFor(() => expect(announced).toEqual(["History cleared."]));
    expect(api.clearConversations).toHaveBeenCalledOnce();
    expect(list.children).toHaveLength(0);
    expect(session.all()).toHaveLength(0);
    expect(removed).toEqual([{ entries: [expect.objectContaining({ question: "This session's question" })], current: true }]);
    expect(tools.querySelector(".history-clear")).toBeNull();
  });

  it("exports a conversation or an answer as Markdown through the shell, and prints them", async () => {
    const { api, exported, failExport } = fakeApi([{ id: "a", entries: [stored("How does imiquimod work?", NOW), stored("Stopped", NOW, null)] }]);
    const { p, list, announced, printed } = panel(api);
    await p.refresh();
    list.querySelector<HTMLButtonElement>(".history-export")?.click();
    await vi.waitFor(() => expect(announced).toEqual(["Saved to /home/me/DrugChatter answer.md."]));
    expect(exported[0][0]).toBe("conversation");
    expect(exported[0][1]).toMatch(/^# DrugChatter conversation\n\n\*Today, 23:40\*/);
    expect(exported[0][1]).toContain("[1] **Imiquimod › How It Works**");
    list.querySelector<HTMLButtonElement>(".history-print")?.click();
    expect(printed).toEqual(["DrugChatter conversation: How does imiquimod work?, Stopped"]);

    failExport(async () => null);
    await p.exportAnswer({ question: "q", state: "done", answer: abstention() });
    expect(exported[1][0]).toBe("answer");
    failExport(async () => Promise.reject({ kind: "io", message: "could not save /x.md: disk full" }));
    await p.exportAnswer({ question: "q", state: "done", answer: abstention() });
    expect(announced.slice(1)).toEqual(["Export cancelled.", "Could not export: could not save /x.md: disk full"]);
    p.printAnswer({ question: "q", state: "done", answer: abstention() });
    expect(printed[1]).toBe("DrugChatter answer: q");
  });

  it("offers no export, print, delete or clear all while a question is being answered", async () => {
    const session = new SessionHistory(keys());
    session.add("Pending question");
    const { api } = fakeApi([]);
    const { p, list, tools } = panel(api, session);
    await p.refresh();
    for (const action of [".history-export", ".history-print", ".history-delete"]) {
      expect(list.querySelector<HTMLButtonElement>(action)?.disabled).toBe(true);
    }
    expect(tools.querySelector<HTMLButtonElement>(".history-clear")?.disabled).toBe(true);
  });
});

describe("renderSavedConversation", () => {
  const handlers: AnswerHandlers = { onCite: vi.fn(), onCiteHover: vi.fn(), onCiteLeave: vi.fn(), onProfile: vi.fn(), onOtherQuestion: vi.fn(), onCopy: vi.fn() };

  it("shows each saved answer as a card, a stop or error as such, and one it cannot draw as a message", () => {
    const group: HistoryGroup = {
      key: "a",
      live: false,
      when: NOW,
      entries: [
        stored("How does imiquimod work?", NOW),
        stored("Stopped", NOW, null),
        { question: "Broken", asked_at: NOW, state: "done", answer: { question: "Broken" } as unknown as Answer, error: null },
      ],
    };
    const actions = { onBack: vi.fn(), onExport: vi.fn(), onPrint: vi.fn(), onDelete: vi.fn() };
    const view = renderSavedConversation(group, "Today, 23:40", handlers, actions);
    expect(view.querySelector("h1")?.textContent).toBe("Conversation of Today, 23:40");
    const cards = [...view.querySelectorAll(".answer")];
    expect(cards.map((c) => c.getAttribute("data-state"))).toEqual(["done", "cancelled", "error"]);
    expect(cards[0].querySelectorAll(".cite").length).toBeGreaterThan(0);
    expect(cards[2].textContent).toContain("saved by another version");
    view.querySelector<HTMLButtonElement>(".saved-delete")?.click();
    view.querySelector<HTMLButtonElement>(".saved-export")?.click();
    expect(actions.onDelete).toHaveBeenCalledOnce();
    expect(actions.onExport).toHaveBeenCalledOnce();
  });
});

describe("answerExportButtons", () => {
  it("names each button with its visible text (axe: label-content-name-mismatch)", () => {
    for (const button of answerExportButtons(() => {}, () => {})) {
      const label = button.getAttribute("aria-label");
      if (label) expect(label.toLowerCase()).toContain((button.textContent ?? "").toLowerCase());
      expect(button.textContent).not.toBe("");
    }
  });
});
