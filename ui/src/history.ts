// The session's questions, in order, grouped by conversation, as the thread shows them
// (pending ones included). The shell saves how each ask ended under the conversation's
// key (conversations.ts lists what it saved, across restarts).

import type { Answer } from "./types";

export type EntryState = "pending" | "done" | "cancelled" | "error";

export interface Entry {
  id: number;
  conversation: number;
  question: string;
  state: EntryState;
  answer?: Answer;
  error?: string;
}

export class SessionHistory {
  private entries: Entry[] = [];
  private nextId = 1;
  private conversationId = 1;
  /** Each conversation's key in the saved history, made when first asked for. */
  private keys = new Map<number, string>();

  constructor(private readonly newKey: () => string = newConversationKey) {}

  /** The key the shell saves conversation `conversation` under. */
  keyOf(conversation: number = this.conversationId): string {
    let key = this.keys.get(conversation);
    if (key === undefined) {
      key = this.newKey();
      this.keys.set(conversation, key);
    }
    return key;
  }

  /** The session's conversation saved under `key`, if it is one of this session's. */
  conversationWithKey(key: string): number | undefined {
    for (const [conversation, k] of this.keys) if (k === key) return conversation;
    return undefined;
  }

  /** Forgets a conversation's entries, returning them; deleting the current one starts a new one. */
  removeConversation(conversation: number): Entry[] {
    const removed = this.entries.filter((e) => e.conversation === conversation);
    this.entries = this.entries.filter((e) => e.conversation !== conversation);
    if (conversation === this.conversationId) this.conversationId += 1;
    return removed;
  }

  /** Forgets every entry, returning them, and starts a new conversation. */
  clear(): Entry[] {
    const removed = this.entries;
    this.entries = [];
    this.conversationId += 1;
    return removed;
  }

  /** Starts a new conversation: the next question is not a follow-up. */
  newConversation(): void {
    if (this.current().length) this.conversationId += 1;
  }

  /** The entries of the current conversation. */
  current(): Entry[] {
    return this.entries.filter((e) => e.conversation === this.conversationId);
  }

  /** Whether the next question continues a conversation that has an answer about a drug. */
  isFollowUp(): boolean {
    return this.current().some((e) => e.state === "done" && (e.answer?.drugs.length ?? 0) > 0);
  }

  add(question: string): Entry {
    const entry: Entry = { id: this.nextId++, conversation: this.conversationId, question, state: "pending" };
    this.entries.push(entry);
    return entry;
  }

  settle(id: number, change: Partial<Omit<Entry, "id" | "conversation" | "question">>): void {
    const entry = this.get(id);
    if (entry) Object.assign(entry, change);
  }

  get(id: number): Entry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  all(): readonly Entry[] {
    return this.entries;
  }

  get conversation(): number {
    return this.conversationId;
  }
}

/** A fresh conversation key: unique enough across sessions, and a valid id for the shell. */
export function newConversationKey(): string {
  const random = Math.floor(Math.random() * 36 ** 8).toString(36).padStart(8, "0");
  return `c-${Date.now().toString(36)}-${random}`;
}
