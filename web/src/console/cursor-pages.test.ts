import { describe, expect, it } from "vitest";
import { type CursorTrail, moveCursor } from "./cursor-pages";

describe("moveCursor", () => {
  it("goes forward page by page and back the same way, never before the first page", () => {
    let trail: CursorTrail = [null];
    trail = moveCursor(trail, { kind: "back" });
    expect(trail).toEqual([null]);
    trail = moveCursor(trail, { kind: "forward", next: "c2" });
    trail = moveCursor(trail, { kind: "forward", next: "c3" });
    expect(trail).toEqual([null, "c2", "c3"]);
    trail = moveCursor(trail, { kind: "back" });
    expect(trail).toEqual([null, "c2"]);
    trail = moveCursor(trail, { kind: "back" });
    trail = moveCursor(trail, { kind: "back" });
    expect(trail).toEqual([null]);
  });

  it("starts again at the first page on reset, keeping the same trail when already there", () => {
    const first: CursorTrail = [null];
    expect(moveCursor(first, { kind: "reset" })).toBe(first);
    expect(moveCursor([null, "c2", "c3"], { kind: "reset" })).toEqual([null]);
  });
});
