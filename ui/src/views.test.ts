import { describe, expect, it, vi } from "vitest";
import { filterDrugs, progressText, renderLibrary, reviewTag, renderStatusBanner, statusPillText, summarizeImport, validateLibraryName } from "./views";
import { drugList } from "./fixtures/answer";
import type { Status } from "./types";

function status(over: Partial<Status> = {}): Status {
  return {
    phase: "ready",
    index_ready: true,
    first_index_build: false,
    drugs: 186,
    chunks: 4900,
    index_error: null,
    progress: null,
    model: "SmolLM2-135M-Instruct.Q4_1.gguf",
    model_loading: false,
    model_error: null,
    data_dir: "/d",
    models_dir: "/m",
    corpus_dir: "/c",
    timings: { engine_open_ms: 1, index_ms: 2, model_load_ms: 3, ready_ms: 4 },
    ...over,
  };
}

describe("status", () => {
  it("summarises readiness in the pill", () => {
    expect(statusPillText(status())).toBe("Ready · 186 drugs · SmolLM2-135M-Instruct.Q4_1");
    expect(statusPillText(status({ phase: "indexing" }))).toBe("Indexing…");
    expect(statusPillText(status({ model: null }))).toBe("Ready · 186 drugs · no model");
  });

  it("shows first-run progress with a progress bar", () => {
    const [banner] = renderStatusBanner(
      status({ phase: "indexing", index_ready: false, first_index_build: true, progress: { task: "indexing", stage: "embedding", done: 1200, total: 4900 } }),
    );
    expect(banner.textContent).toContain("First run: building the library index.");
    expect(banner.textContent).toContain("embedding 1200 / 4900");
    const bar = banner.querySelector("progress")!;
    expect(bar.getAttribute("max")).toBe("4900");
    expect(bar.getAttribute("value")).toBe("1200");
  });

  it("says a start that checks an existing index is not a first run", () => {
    const [banner] = renderStatusBanner(status({ phase: "indexing", progress: { task: "indexing", stage: "scanning", done: 3, total: 186 } }));
    expect(banner.textContent).toContain("Checking the library index");
    expect(banner.textContent).not.toContain("First run");
  });

  it("keeps the app usable when the model fails, and says so", () => {
    const parts = renderStatusBanner(status({ model: null, model_error: "model file /m/x.gguf is missing" }));
    expect(parts).toHaveLength(1);
    expect(parts[0].getAttribute("role")).toBe("alert");
    expect(parts[0].textContent).toContain("browsing and search still work");
  });

  it("offers Cancel during an import", () => {
    const cancel = vi.fn();
    const [banner] = renderStatusBanner(status({ progress: { task: "importing", stage: "reading labels", done: 1 << 20, total: 4 << 20 } }), cancel);
    expect(banner.textContent).toContain("reading labels 1.0 MB / 4.0 MB");
    banner.querySelector("button")!.click();
    expect(cancel).toHaveBeenCalled();
  });

  it("shows nothing when all is well", () => {
    expect(renderStatusBanner(status())).toEqual([]);
  });
});

describe("library", () => {
  it("filters by every word over names and brands, and by library", () => {
    const drugs = drugList();
    expect(filterDrugs(drugs, "lantus", null).map((d) => d.slug)).toEqual(["insulin-glargine"]);
    expect(filterDrugs(drugs, "insulin glar", null).map((d) => d.slug)).toEqual(["insulin-glargine"]);
    expect(filterDrugs(drugs, "", "fda").map((d) => d.slug)).toEqual(["aldesleukin"]);
    expect(filterDrugs(drugs, "", null)).toHaveLength(drugs.length);
  });

  it("shows counts per library and a total", () => {
    const el = renderLibrary(
      [
        { name: "bundled", kind: "bundled", drugs: 186, chunks: 4900, documents: 186, source_dir: "/app/corpus" },
        { name: "fda", kind: "imported", drugs: 3, chunks: 120, documents: 5, source_dir: "/data/libraries/fda/documents" },
      ],
      drugList(),
      vi.fn(),
    );
    const rows = [...el.querySelectorAll("table.libraries tbody tr")].map((r) => [...r.querySelectorAll("th, td")].slice(0, 4).map((c) => c.textContent));
    expect(rows).toEqual([
      ["Bundled monographs", "186", "186", "4900"],
      ["Imported: fda", "3", "5", "120"],
      ["All", "189", "191", "5020"],
    ]);
    expect(el.querySelectorAll(".drug-item")).toHaveLength(drugList().length);
  });

  it("shows each bundled monograph's review state, and none for an imported label", () => {
    const el = renderLibrary([], drugList(), vi.fn());
    const tag = (slug: string) => el.querySelector(`.drug-item[data-slug="${slug}"] .review-tag`);
    expect(tag("ibuprofen")?.textContent).toBe("checked against FDA label");
    expect(tag("ibuprofen")?.classList.contains("reviewed")).toBe(true);
    expect(tag("amlodipine")?.textContent).toBe("not yet checked");
    expect(tag("amlodipine")?.classList.contains("unreviewed")).toBe(true);
    expect(tag("aldesleukin")).toBeNull();
    expect(reviewTag({ labels: 2, reviewed: true })).toBeNull();
  });
});

describe("import", () => {
  it("validates library names as the engine does", () => {
    expect(validateLibraryName("fda-labels")).toBeNull();
    expect(validateLibraryName("my_2024")).toBeNull();
    for (const bad of ["", "bundled", "FDA", "-x", "_x", "a b", "../x", "a".repeat(65)]) {
      expect(validateLibraryName(bad), bad).not.toBeNull();
    }
  });

  it("formats progress in bytes while reading", () => {
    expect(progressText({ task: "importing", stage: "reading labels", done: 512, total: 2048 })).toBe("reading labels 512 B / 2 KB");
    expect(progressText({ task: "importing", stage: "embedding", done: 3, total: 10 })).toBe("embedding 3 / 10");
    expect(progressText({ task: "indexing", stage: "scanning", done: 0, total: 0 })).toBe("scanning…");
  });

  it("summarises a report", () => {
    const text = summarizeImport({
      library: "fda",
      records: 12,
      labels_added: 10,
      labels_updated: 1,
      labels_unchanged: 0,
      labels_older: 0,
      skipped_count: 1,
      skipped: [{ place: "a.json:3", reason: "no set_id" }],
      unmapped_sections: {},
      labels: 11,
      drugs: 9,
      build: null,
    });
    expect(text).toBe("Library “fda”: 12 label record(s) read, 10 added, 1 updated, 1 skipped. It now holds 11 label(s) on 9 drug(s).");
  });
});
