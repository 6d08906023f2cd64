// Resident identity-card numbers (GB 11643-1999): 6-digit region, 8-digit birth date,
// 3-digit sequence, and an ISO 7064 MOD 11-2 check character (0-9 or X).

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = "10X98765432";

/** First two digits: provinces, plus 71 (Taiwan), 81/82 (Hong Kong, Macao residence permits), 83. */
const PROVINCES = new Set(
  "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split(
    " ",
  ),
);

export type IdNumberProblem = "format" | "region" | "birth_date" | "checksum";

/** Upper-cases the check character and drops surrounding spaces; nothing else is forgiven. */
export function normaliseIdNumber(value: string): string {
  return value.trim().toUpperCase();
}

/** The check character for the first 17 digits. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? "";
}

/** The birth date as YYYYMMDD, for a number that already passed validation. */
export function birthDateOf(idNumber: string): string {
  return idNumber.slice(6, 14);
}

/** Why a (normalised) number is not a valid resident ID number, or null when it is. */
export function idNumberProblem(idNumber: string, today: Date): IdNumberProblem | null {
  if (!/^\d{17}[\dX]$/.test(idNumber)) return "format";
  if (!PROVINCES.has(idNumber.slice(0, 2))) return "region";
  // A county-level code never ends in 0000, except for the HK/Macao/Taiwan residence permits.
  if (idNumber.slice(2, 6) === "0000" && !["81", "82", "83"].includes(idNumber.slice(0, 2))) return "region";
  if (!validBirthDate(birthDateOf(idNumber), today)) return "birth_date";
  if (idNumberCheckChar(idNumber.slice(0, 17)) !== idNumber[17]) return "checksum";
  return null;
}

function validBirthDate(yyyymmdd: string, today: Date): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  return date.getTime() <= today.getTime();
}
