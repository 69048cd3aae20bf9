import { describe, expect, it, vi } from "vitest";
import { attachCombobox, editDistance, normalize, rankDrugs } from "./autocomplete";
import { drugList } from "./fixtures/answer";

describe("rankDrugs", () => {
  const drugs = drugList();

  it("reaches a drug by its brand name", () => {
    const [first] = rankDrugs(drugs, "Aldara");
    expect(first.drug.slug).toBe("imiquimod");
    expect(first.how).toBe("brand");
    expect(first.name).toBe("Aldara");
  });

  it("ranks an exact generic name first, then prefixes", () => {
    expect(rankDrugs(drugs, "ibuprofen")[0].drug.slug).toBe("ibuprofen");
    const ald = rankDrugs(drugs, "ald").map((s) => s.drug.slug);
    // Generic-name prefix (Aldesleukin) beats brand-name prefix (Aldara → imiquimod).
    expect(ald).toEqual(["aldesleukin", "imiquimod"]);
  });

  it("matches any word of a name", () => {
    expect(rankDrugs(drugs, "glargine").map((s) => s.drug.slug)).toEqual(["insulin-glargine"]);
    expect(rankDrugs(drugs, "insulin").map((s) => s.drug.slug)).toEqual(["insulin-lispro", "insulin-glargine"]);
  });

  it("forgives small misspellings", () => {
    expect(rankDrugs(drugs, "imiquimd")[0].drug.slug).toBe("imiquimod");
    expect(rankDrugs(drugs, "ibuprofin")[0].drug.slug).toBe("ibuprofen");
    expect(rankDrugs(drugs, "aldra")[0].drug.slug).toBe("imiquimod");
  });

  it("is case and accent insensitive", () => {
    expect(rankDrugs(drugs, "PARACÉTAMOL")[0].drug.slug).toBe("acetaminophen");
  });

  it("lists each drug once, bounded by the limit", () => {
    const all = rankDrugs(drugs, "a", 3);
    expect(all).toHaveLength(3);
    expect(new Set(all.map((s) => s.drug.slug)).size).toBe(3);
    expect(rankDrugs(drugs, "   ")).toEqual([]);
    expect(rankDrugs(drugs, "zzzzzz")).toEqual([]);
  });
});

describe("helpers", () => {
  it("normalizes", () => {
    expect(normalize("  Co-Trimoxazole® ")).toBe("co trimoxazole");
  });
  it("counts transpositions as one edit", () => {
    expect(editDistance("aldara", "adlara", 2)).toBe(1);
    expect(editDistance("abc", "abcdef", 1)).toBe(2);
  });
});

describe("attachCombobox", () => {
  function setup() {
    document.body.innerHTML = '<input id="q"><ul id="q-list"></ul>';
    const input = document.getElementById("q") as HTMLInputElement;
    const listbox = document.getElementById("q-list")!;
    const onSelect = vi.fn();
    const onSearch = vi.fn();
    attachCombobox({ input, listbox, source: drugList, onSelect, onSearch });
    const type = (text: string) => {
      input.value = text;
      input.dispatchEvent(new Event("input"));
    };
    const key = (k: string) => input.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    return { input, listbox, onSelect, onSearch, type, key };
  }

  it("follows the ARIA combobox pattern", () => {
    const { input, listbox, type, key } = setup();
    expect(input.getAttribute("role")).toBe("combobox");
    expect(input.getAttribute("aria-expanded")).toBe("false");
    type("insulin");
    expect(input.getAttribute("aria-expanded")).toBe("true");
    const options = listbox.querySelectorAll('[role="option"]');
    expect(options).toHaveLength(2);
    expect(input.getAttribute("aria-activedescendant")).toBe(options[0].id);
    key("ArrowDown");
    expect(input.getAttribute("aria-activedescendant")).toBe("q-list-opt-1");
    expect(listbox.querySelector('[aria-selected="true"]')?.id).toBe("q-list-opt-1");
    key("Escape");
    expect(input.getAttribute("aria-expanded")).toBe("false");
    expect(listbox.hidden).toBe(true);
  });

  it("Enter picks the active drug", () => {
    const { onSelect, type, key, input } = setup();
    type("Aldara");
    key("Enter");
    expect(onSelect).toHaveBeenCalledWith(expect.objectContaining({ slug: "imiquimod" }));
    expect(input.value).toBe("");
  });

  it("Enter with no matching drug searches passages", () => {
    const { onSelect, onSearch, type, key, listbox } = setup();
    type("sun sensitivity");
    expect(listbox.textContent).toContain("Press Enter to search passages");
    key("Enter");
    expect(onSelect).not.toHaveBeenCalled();
    expect(onSearch).toHaveBeenCalledWith("sun sensitivity");
  });

  it("while the library is being indexed, says so instead of 'No drug named', and does not search", () => {
    document.body.innerHTML = '<input id="q"><ul id="q-list"></ul>';
    const input = document.getElementById("q") as HTMLInputElement;
    const listbox = document.getElementById("q-list")!;
    const onSearch = vi.fn();
    attachCombobox({ input, listbox, source: () => [], onSelect: vi.fn(), onSearch, unavailable: () => "The library is still being indexed." });
    input.value = "Aldara";
    input.dispatchEvent(new Event("input"));
    expect(listbox.textContent).toBe("The library is still being indexed.");
    expect(listbox.textContent).not.toContain("No drug named");
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(onSearch).not.toHaveBeenCalled();
  });

  it("a click on an option picks it", () => {
    const { onSelect, type, listbox } = setup();
    type("lis");
    const option = [...listbox.querySelectorAll<HTMLElement>('[role="option"]')].find((o) => o.dataset.slug === "lisinopril")!;
    option.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
    expect(onSelect).toHaveBeenCalledWith(expect.objectContaining({ slug: "lisinopril" }));
  });
});
