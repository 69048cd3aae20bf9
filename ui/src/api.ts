// Typed wrappers over the shell's commands (src-tauri/src/lib.rs). Only these commands are
// granted to the window (src-tauri/capabilities/default.json).

import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  Answer,
  AppError,
  AskEvent,
  ClassPage,
  ClassSummary,
  DrugSummary,
  ExportKind,
  HistoryView,
  ImportReport,
  LibraryInfo,
  MonographView,
  SearchResults,
  Settings,
  SettingsRequest,
  Status,
} from "./types";

/** Normalises whatever a command rejected with into an AppError. */
export function toAppError(error: unknown): AppError {
  if (error && typeof error === "object" && "message" in error) {
    const e = error as { kind?: unknown; message: unknown };
    return { kind: typeof e.kind === "string" ? e.kind : "engine", message: String(e.message) };
  }
  return { kind: "engine", message: String(error) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}

export function subscribeStatus(onStatus: (status: Status) => void): Promise<Status> {
  const channel = new Channel<Status>();
  channel.onmessage = onStatus;
  return call<Status>("subscribe_status", { onStatus: channel });
}

/** `conversation`: the key the shell saves the question and its outcome under (null: not saved). */
export function ask(question: string, followUp: boolean, conversation: string | null, onEvent: (event: AskEvent) => void): Promise<Answer> {
  const channel = new Channel<AskEvent>();
  channel.onmessage = onEvent;
  return call<Answer>("ask", { question, followUp, conversation, onEvent: channel });
}

export const cancelAsk = () => call<void>("cancel_ask");
export const newConversation = () => call<void>("new_conversation");
export const search = (query: string, k: number) => call<SearchResults>("search", { query, k });
export const drugs = () => call<DrugSummary[]>("drugs");
export const monograph = (library: string, slug: string) => call<MonographView>("monograph", { library, slug });
export const drugClasses = () => call<ClassSummary[]>("drug_classes");
export const drugClass = (name: string) => call<ClassPage>("drug_class", { name });
export const libraries = () => call<LibraryInfo[]>("libraries");
export const getSettings = () => call<Settings>("get_settings");
/** The model is named by kind only: the file is the one last picked with `chooseModelFile`. */
export const setSettings = (settings: SettingsRequest) => call<Settings>("set_settings", { settings });
export const chooseModelFile = () => call<string | null>("choose_model_file");
export const chooseImportPaths = (folder: boolean) => call<string[]>("choose_import_paths", { folder });
export const importLibrary = (library: string) => call<ImportReport>("import_library", { library });
/** Deletes an imported library; returns the libraries left. */
export const removeLibrary = (library: string) => call<LibraryInfo[]>("remove_library", { library });
export const cancelImport = () => call<void>("cancel_import");
export const conversations = () => call<HistoryView>("conversations");
export const deleteConversation = (id: string) => call<void>("delete_conversation", { id });
export const clearConversations = () => call<void>("clear_conversations");
/** Opens a save dialog (in Rust) and writes `markdown` there; the saved path, or null if cancelled. */
export const exportMarkdown = (markdown: string, kind: ExportKind) => call<string | null>("export_markdown", { markdown, kind });
