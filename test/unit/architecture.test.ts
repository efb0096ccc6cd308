/**
 * Keeps the layers of src/ pointing one way (see README "Layout"): the wire protocol knows nothing of
 * TypeScript or the kernel, the evaluator nothing of ZeroMQ, the display layer only protocol types, and
 * there are no import cycles between files.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** Which folders (and packages) each layer may import. */
const ALLOWED: Record<string, { layers: string[]; packages: string[] }> = {
  protocol: { layers: [], packages: [] },
  transport: { layers: ["protocol"], packages: ["zeromq"] },
  display: { layers: ["protocol"], packages: [] },
  kernel: { layers: ["protocol", "display", "transport"], packages: [] },
  evaluator: { layers: ["protocol", "display", "kernel"], packages: ["typescript", "import-meta-resolve", "source-map-js"] },
  hbase: { layers: ["display", "protocol"], packages: ["classic-level", "lmdb", "protobufjs", "node-zookeeper-client"] },
  stream: { layers: [], packages: ["lmdb", "acorn"] },
  connectors: { layers: ["stream", "hbase"], packages: [] },
  charts: { layers: ["display", "stream", "protocol"], packages: ["vega", "vega-lite", "@resvg"] },
  notebook: { layers: ["display", "stream", "protocol"], packages: [] },
  cli: { layers: ["protocol", "transport", "kernel", "evaluator", "display", "hbase"], packages: [] },
  ".": { layers: ["display", "evaluator", "protocol", "hbase", "stream", "connectors", "charts", "notebook"], packages: [] },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Module specifiers a file imports (static, re-exports and dynamic `import("...")`), comments excluded. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((f) => f.fileName);
}

function layerOf(file: string): string {
  const rel = path.relative(SRC, file);
  return rel.includes(path.sep) ? rel.split(path.sep)[0]! : ".";
}

const files = sourceFiles(SRC);

describe("architecture", () => {
  it("finds the layers", () => {
    expect(new Set(files.map(layerOf))).toEqual(new Set(Object.keys(ALLOWED)));
  });

  it.each(files.map((f) => [path.relative(SRC, f), f]))("%s imports only what its layer may", (_name, file) => {
    const layer = layerOf(file);
    const rules = ALLOWED[layer]!;
    for (const spec of importsOf(file)) {
      if (spec.startsWith("node:")) continue;
      if (spec.startsWith(".")) {
        const target = path.resolve(path.dirname(file), spec);
        const targetLayer = layerOf(target.replace(/\.js$/, ".ts"));
        if (targetLayer === layer) continue;
        expect(rules.layers, `${path.relative(SRC, file)} imports ${spec} (layer ${targetLayer})`).toContain(targetLayer);
      } else {
        expect(rules.packages, `${path.relative(SRC, file)} imports package ${spec}`).toContain(spec.split("/")[0]);
      }
    }
  });

  it("has no import cycles between files", () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      graph.set(
        file,
        importsOf(file)
          .filter((s) => s.startsWith("."))
          .map((s) => path.resolve(path.dirname(file), s).replace(/\.js$/, ".ts")),
      );
    }
    const state = new Map<string, "visiting" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
