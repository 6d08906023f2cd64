import { describe, expect, it } from "vitest";
import { birthDateOf, idNumberCheckChar, idNumberProblem, normaliseIdNumber } from "./id-number.js";

const today = new Date("2026-11-22T02:00:00Z");

/** Builds a valid number from its parts, so tests can name what they vary. */
function idNumber(region: string, birth: string, sequence = "123"): string {
  const first17 = `${region}${birth}${sequence}`;
  return `${first17}${idNumberCheckChar(first17)}`;
}

describe("identity-card numbers", () => {
  it("accepts the examples printed in GB 11643, including the X check character", () => {
    expect(idNumberProblem("11010519491231002X", today)).toBeNull();
    expect(idNumberProblem("440524188001010014", today)).toBe("birth_date");
    expect(idNumberProblem(idNumber("440524", "19800101", "001"), today)).toBeNull();
  });

  it("reads a lower-case x as the X check character", () => {
    expect(normaliseIdNumber(" 11010519491231002x ")).toBe("11010519491231002X");
    expect(idNumberProblem(normaliseIdNumber("11010519491231002x"), today)).toBeNull();
  });

  it("refuses a number whose check character does not match", () => {
    expect(idNumberProblem("110105194912310021", today)).toBe("checksum");
    expect(idNumberProblem("110105194912310029", today)).toBe("checksum");
  });

  it.each([
    ["17 digits", "11010519491231002"],
    ["19 characters", "11010519491231002X1"],
    ["an X in the middle", "1101051949X231002X"],
    ["letters", "abcdefghijklmnopqr"],
    ["an empty string", ""],
    ["a 15-digit first-generation number", "110105491231002"],
  ])("refuses %s as malformed", (_label, value) => {
    expect(idNumberProblem(value, today)).toBe("format");
  });

  it("refuses a region that is not a province, and a province-level code", () => {
    expect(idNumberProblem(idNumber("990105", "19900101"), today)).toBe("region");
    expect(idNumberProblem(idNumber("000105", "19900101"), today)).toBe("region");
    expect(idNumberProblem(idNumber("110000", "19900101"), today)).toBe("region");
    expect(idNumberProblem(idNumber("810000", "19900101"), today)).toBeNull();
  });

  it.each([
    ["the 30th of February", "19900230"],
    ["month 13", "19901301"],
    ["day 0", "19900100"],
    ["the 29th of February in a common year", "19010229"],
    ["a date before 1900", "18991231"],
    ["a date after today", "20270101"],
  ])("refuses %s as a birth date", (_label, birth) => {
    expect(idNumberProblem(idNumber("110105", birth), today)).toBe("birth_date");
  });

  it("accepts the 29th of February in a leap year and someone born today", () => {
    expect(idNumberProblem(idNumber("110105", "20000229"), today)).toBeNull();
    expect(idNumberProblem(idNumber("110105", "20261122"), today)).toBeNull();
  });

  it("reads the birth date back out", () => {
    expect(birthDateOf("11010519491231002X")).toBe("19491231");
  });
});
