import { describe, expect, it } from "vitest";
import { applyTheme, DEFAULT_SETTINGS, validateSettings } from "./settings";

describe("validateSettings", () => {
  it("accepts the defaults and a complete valid object", () => {
    expect(validateSettings(DEFAULT_SETTINGS)).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
    const s = { model: { kind: "file", path: "/home/me/models/qwen3.GGUF" }, answer_length: "long", show_unverified: true, theme: "dark" };
    expect(validateSettings(s)).toEqual({ ok: true, settings: s });
  });

  it("fills missing fields with defaults", () => {
    expect(validateSettings({})).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
  });

  it("refuses unknown fields and wrong types", () => {
    const bad = validateSettings({ evil: 1, show_unverified: "yes", answer_length: "huge", theme: 3 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors).toContain("unknown setting “evil”");
      expect(bad.errors.length).toBe(4);
    }
    expect(validateSettings(null).ok).toBe(false);
    expect(validateSettings([]).ok).toBe(false);
  });

  it("checks the model file path", () => {
    const model = (path: unknown) => validateSettings({ model: { kind: "file", path } });
    expect(model("relative/model.gguf").ok).toBe(false);
    expect(model("/abs/model.bin").ok).toBe(false);
    expect(model("").ok).toBe(false);
    expect(model(42).ok).toBe(false);
    expect(model("/a\0b.gguf").ok).toBe(false);
    expect(model("/" + "a".repeat(5000) + ".gguf").ok).toBe(false);
    expect(model("C:\\models\\m.gguf").ok).toBe(true);
    expect(validateSettings({ model: { kind: "remote" } }).ok).toBe(false);
  });
});

describe("applyTheme", () => {
  it("sets or clears data-theme", () => {
    const root = document.createElement("html");
    applyTheme("dark", root);
    expect(root.dataset.theme).toBe("dark");
    applyTheme("system", root);
    expect(root.dataset.theme).toBeUndefined();
  });
});
