// The session's questions, in order, grouped by conversation. Kept in memory only: the
// history ends with the session, and no question is written to disk.

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
