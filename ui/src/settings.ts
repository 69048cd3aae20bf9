// Settings: validation mirroring src-tauri/src/settings.rs (the shell validates again; this
// gives the form its messages), and applying the theme.

import type { AnswerLength, ModelChoice, Settings, SettingsRequest, Theme } from "./types";

export const DEFAULT_SETTINGS: Settings = {
  model: { kind: "bundled" },
  answer_length: "medium",
  show_unverified: false,
  theme: "system",
};

const LENGTHS: AnswerLength[] = ["short", "medium", "long"];
const THEMES: Theme[] = ["system", "light", "dark"];
const MAX_PATH = 4096;

export type Validation = { ok: true; settings: Settings } | { ok: false; errors: string[] };

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}

/** Checks an untrusted value (a form, or what came back over IPC) against the schema. */
export function validateSettings(value: unknown): Validation {
  const errors: string[] = [];
  if (!value || typeof value !== "object" || Array.isArray(value)) return { ok: false, errors: ["settings must be an object"] };
  const v = value as Record<string, unknown>;
  const known = new Set(["model", "answer_length", "show_unverified", "theme"]);
  for (const key of Object.keys(v)) if (!known.has(key)) errors.push(`unknown setting “${key}”`);

  let model: ModelChoice = DEFAULT_SETTINGS.model;
  const m = v.model as Record<string, unknown> | undefined;
  if (m !== undefined) {
    if (!m || typeof m !== "object") errors.push("model must be an object");
    else if (m.kind === "bundled") model = { kind: "bundled" };
    else if (m.kind === "file") {
      const path = m.path;
      if (typeof path !== "string" || !path) errors.push("choose a model file");
      else if (path.length > MAX_PATH || path.includes("\0")) errors.push("the model path is not valid");
      else if (!isAbsolute(path)) errors.push("the model path must be absolute");
      else if (!/\.gguf$/i.test(path)) errors.push("the model must be a .gguf file");
      else model = { kind: "file", path };
    } else errors.push("model.kind must be “bundled” or “file”");
  }

  const length = v.answer_length ?? DEFAULT_SETTINGS.answer_length;
  if (!LENGTHS.includes(length as AnswerLength)) errors.push("answer length must be short, medium or long");
  const theme = v.theme ?? DEFAULT_SETTINGS.theme;
  if (!THEMES.includes(theme as Theme)) errors.push("theme must be system, light or dark");
  const showUnverified = v.show_unverified ?? DEFAULT_SETTINGS.show_unverified;
  if (typeof showUnverified !== "boolean") errors.push("show unverified must be true or false");

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    settings: { model, answer_length: length as AnswerLength, show_unverified: showUnverified as boolean, theme: theme as Theme },
  };
}

/** Applies the theme: `system` follows the OS (prefers-color-scheme). */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
}

/**
 * What the form sends: the model by kind only. The shell takes the file from the dialog it
 * opened itself, so the webview never names a file to read; the path stays for display.
 */
export function settingsRequest(settings: Settings): SettingsRequest {
  return {
    model: { kind: settings.model.kind },
    answer_length: settings.answer_length,
    show_unverified: settings.show_unverified,
    theme: settings.theme,
  };
}
