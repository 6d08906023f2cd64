import { describe, expect, it } from "vitest";
import { startOfChinaDay } from "./limits.js";
import { formatYuan, toJsonAmount } from "./service.js";

describe("amounts and days", () => {
  it("sends amounts up to 2^53 - 1 as exact numbers and refuses anything larger rather than round it", () => {
    expect(toJsonAmount(1_234n)).toBe(1_234);
    expect(toJsonAmount(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toJsonAmount(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(/JSON numbers/);
    expect(() => toJsonAmount(-BigInt(Number.MAX_SAFE_INTEGER) - 1n)).toThrow(/JSON numbers/);
  });

  it("writes fen as yuan with two decimals", () => {
    expect(formatYuan(2_550n)).toBe("¥25.50");
    expect(formatYuan(7n)).toBe("¥0.07");
    expect(formatYuan(-100n)).toBe("-¥1.00");
  });

  it("starts the limit day at midnight in China, which is 16:00 UTC the day before", () => {
    expect(startOfChinaDay(new Date("2026-11-22T02:00:00Z")).toISOString()).toBe("2026-11-21T16:00:00.000Z");
    expect(startOfChinaDay(new Date("2026-11-22T15:59:59Z")).toISOString()).toBe("2026-11-21T16:00:00.000Z");
    expect(startOfChinaDay(new Date("2026-11-22T16:00:00Z")).toISOString()).toBe("2026-11-22T16:00:00.000Z");
  });
});
