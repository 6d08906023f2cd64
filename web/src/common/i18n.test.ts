// Every face has the same keys in zh-CN and en, and every t("…") key used in code exists.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const src = path.resolve(import.meta.dirname, "..");

function flatten(obj: unknown, prefix = ""): string[] {
  if (obj === null || typeof obj !== "object") return [prefix];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) =>
    flatten(v, prefix ? `${prefix}.${k}` : k),
  );
}

function load(file: string): string[] {
  return flatten(JSON.parse(readFileSync(file, "utf8"))).sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !name.endsWith(".test.ts") ? [full] : [];
  });
}

const common = {
  zh: load(path.join(src, "common/locales/zh-CN.json")),
  en: load(path.join(src, "common/locales/en.json")),
};

describe.each(["common", "portal", "kiosk", "console"])("%s translations", (face) => {
  const zh = load(path.join(src, face, "locales/zh-CN.json"));
  const en = load(path.join(src, face, "locales/en.json"));

  it("has the same keys in zh-CN and en", () => {
    expect(en).toEqual(zh);
  });

  it("defines every key the code asks for", () => {
    const known = new Set([...zh, ...common.zh]);
    const used = new Set<string>();
    for (const file of sourceFiles(path.join(src, face))) {
      for (const m of readFileSync(file, "utf8").matchAll(/\bt\(\s*["'`]([A-Za-z0-9_.-]+)["'`]/g)) {
        if (m[1]) used.add(m[1]);
      }
    }
    const missing = [...used].filter((k) => !known.has(k));
    expect(missing).toEqual([]);
  });
});
