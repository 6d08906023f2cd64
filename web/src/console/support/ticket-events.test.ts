import { describe, expect, it } from "vitest";
import { gather } from "./ticket-events";

describe("gather", () => {
  it("collects ticket ids once each, and turns into 'everything' for good once a resync comes", () => {
    let pending = gather(undefined, "a");
    pending = gather(pending, "b");
    pending = gather(pending, "a");
    expect(pending).toEqual(new Set(["a", "b"]));
    pending = gather(pending, null);
    expect(pending).toBeNull();
    expect(gather(pending, "c")).toBeNull();
  });
});
