import { describe, expect, it, vi } from "vitest";
import { filterDrugs, notReadyText, progressText, renderLibrary, renderSettings, reviewTag, renderStatusBanner, statusPillText, summarizeImport, validateLibraryName } from "./views";
import { drugList, status } from "./fixtures/answer";
import type { ImportReport } from "./types";


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

  it("shows the percentage and the time left", () => {
    const indexing = status({ phase: "indexing", index_ready: false, first_index_build: true, progress: { task: "indexing", stage: "embedding", done: 1200, total: 4900 } });
    const [banner] = renderStatusBanner(indexing, undefined, 185_000);
    expect(banner.querySelector(".progress-percent")?.textContent).toBe("24%");
    expect(banner.querySelector(".progress-eta")?.textContent).toBe("about 3 min left");
    const [early] = renderStatusBanner(indexing);
    expect(early.querySelector(".progress-eta")?.textContent).toBe("estimating the time left…");
  });

  it("puts the bar before every number that changes, so it never moves sideways", () => {
    const at = (done: number) =>
      renderStatusBanner(status({ phase: "indexing", index_ready: false, first_index_build: true, progress: { task: "indexing", stage: "embedding", done, total: 4937 } }))[0];
    const texts = [96, 4900].map((done) => {
      const banner = at(done);
      const bar = banner.querySelector("progress")!;
      // Everything before the bar is the same whatever the count.
      const range = document.createRange();
      range.setStartBefore(banner.firstChild!);
      range.setEndBefore(bar);
      return range.toString();
    });
    expect(texts[0]).toBe(texts[1]);
  });

  it("says why a question cannot be asked yet", () => {
    const indexing = status({ phase: "indexing", index_ready: false, progress: { task: "indexing", stage: "embedding", done: 2450, total: 4900 } });
    expect(notReadyText(indexing, 120_000)).toBe("The library is still being indexed (50%, about 2 min left). You can ask once it is ready; your question stays in the box.");
    expect(notReadyText(indexing)).toMatch(/^The library is still being indexed \(50%\)\./);
    expect(notReadyText(status({ phase: "starting", index_ready: false }))).toMatch(/still starting/);
    expect(notReadyText(null)).toMatch(/still starting/);
    expect(notReadyText(status())).toBeNull();
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

  it("names the monographs left out because they could not be read", () => {
    const banners = renderStatusBanner(status({ index_failures: ["/c/broken.md:1: missing YAML front matter"], index_failure_count: 3 }));
    const banner = banners.find((b) => b.textContent?.includes("could not be read"))!;
    expect(banner.getAttribute("role")).toBe("alert");
    expect(banner.textContent).toContain("3 monographs could not be read and are left out of the library");
    expect(banner.querySelector(".failures li")?.textContent).toBe("/c/broken.md:1: missing YAML front matter");
    expect(banner.textContent).toContain("and 2 more (see the log).");
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

  it("removes an imported library only after a confirmation naming what goes, which can be cancelled", async () => {
    const onRemove = vi.fn(async () => null);
    const el = renderLibrary(
      [
        { name: "bundled", kind: "bundled", drugs: 186, chunks: 4900, documents: 186, source_dir: "/app/corpus" },
        { name: "fda", kind: "imported", drugs: 3, chunks: 120, documents: 5, source_dir: "/data/libraries/fda/documents" },
      ],
      drugList(),
      vi.fn(),
      null,
      onRemove,
    );
    document.body.replaceChildren(el);
    // Only the imported library has a Remove control.
    const buttons = [...el.querySelectorAll<HTMLButtonElement>(".remove-library")];
    expect(buttons.map((b) => b.getAttribute("aria-label"))).toEqual(["Remove the library fda…"]);
    buttons[0].click();
    const text = el.querySelector(".remove-confirm p")!.textContent;
    expect(text).toBe(
      "Remove the library “fda”? This deletes its 5 labels (3 drugs, 120 passages) and its index, in /data/libraries/fda/documents. The bundled library is not affected. This cannot be undone.",
    );
    expect(document.activeElement?.textContent).toBe("Cancel");
    el.querySelector<HTMLButtonElement>(".remove-library-cancel")!.click();
    expect(el.querySelector(".remove-confirm")).toBeNull();
    expect(onRemove).not.toHaveBeenCalled();
    el.querySelector<HTMLButtonElement>(".remove-library")!.click();
    el.querySelector<HTMLButtonElement>(".remove-library-confirm")!.click();
    await vi.waitFor(() => expect(onRemove).toHaveBeenCalledTimes(1));
    expect(onRemove).toHaveBeenCalledWith(expect.objectContaining({ name: "fda", kind: "imported" }));
  });

  it("says why a removal failed, and offers it again", async () => {
    const el = renderLibrary(
      [{ name: "fda", kind: "imported", drugs: 1, chunks: 2, documents: 1, source_dir: "/d" }],
      drugList(),
      vi.fn(),
      null,
      async () => "an import is running; remove the library once it has finished",
    );
    document.body.replaceChildren(el);
    el.querySelector<HTMLButtonElement>(".remove-library")!.click();
    el.querySelector<HTMLButtonElement>(".remove-library-confirm")!.click();
    await vi.waitFor(() => expect(el.querySelector(".library-remove .error-text")?.textContent).toMatch(/import is running/));
    expect(el.querySelector(".remove-library")).not.toBeNull();
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

  it("summarises a report, with proper plurals", () => {
    const report = (): ImportReport => ({
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
    const text = summarizeImport(report());
    expect(text).toBe("Library “fda”: 12 label records read, 10 added, 1 updated, 1 skipped. It now holds 11 labels on 9 drugs.");
    expect(summarizeImport({ ...report(), records: 1, labels: 1, drugs: 1 })).toContain("1 label record read");
    expect(summarizeImport({ ...report(), records: 1, labels: 1, drugs: 1 })).toContain("It now holds 1 label on 1 drug.");
    // A document the build could not index is named, never left out silently.
    const build = {
      library: "fda",
      files: 2,
      drugs: 1,
      chunks: 30,
      embedded_chunks: 30,
      reused_chunks: 0,
      failures: [{ path: "/d/fda/documents/x.md", line: 1, message: "over 2 MiB" }],
      rebuilt: true,
      elapsed: { secs: 1, nanos: 0 },
      index_dir: "/d/index/fda",
    };
    expect(summarizeImport({ ...report(), build })).toContain("1 document could not be indexed: /d/fda/documents/x.md:1: over 2 MiB.");
  });
});

describe("settings", () => {
  it("sends the model by kind only: the file is the one the shell's dialog picked", async () => {
    const onSave = vi.fn(async () => null);
    const onChooseModel = vi.fn(async () => "/home/me/models/qwen.gguf");
    const form = renderSettings({ model: { kind: "bundled" }, answer_length: "medium", show_unverified: false, theme: "system" }, null, { onSave, onChooseModel });
    document.body.replaceChildren(form);
    form.querySelector<HTMLSelectElement>("#answer-length")!.value = "long";
    form.querySelector<HTMLSelectElement>("#theme")!.value = "dark";
    form.querySelector<HTMLButtonElement>("#choose-model")!.click();
    await vi.waitFor(() => expect(form.querySelector("#model-path")?.textContent).toBe("/home/me/models/qwen.gguf"));
    (form as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave).toHaveBeenCalledWith({ model: { kind: "file" }, answer_length: "long", show_unverified: false, theme: "dark" });
  });
});
