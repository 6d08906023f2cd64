import { describe, expect, it } from "vitest";
import { uuidv7 } from "./ids.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("transfer ids (UUIDv7)", () => {
  it("are version 7, variant 10 uuids carrying the millisecond they were made", () => {
    const at = Date.UTC(2026, 10, 22, 8, 30, 0, 123);
    const id = uuidv7(at);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16)).toBe(at);
  });

  it("keep increasing within one millisecond and across milliseconds, without repeats", () => {
    const ids: string[] = [];
    const start = Date.UTC(2027, 0, 1);
    for (let ms = 0; ms < 3; ms++) for (let i = 0; i < 5_000; i++) ids.push(uuidv7(start + ms));
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Sorted as PostgreSQL sorts uuids (bytewise), they are in the order they were made.
    expect([...ids].sort()).toEqual(ids);
  });
});
