// Masking for every response that shows sensitive data.
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : "****";
}

export function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  const shown = local.length <= 2 ? (local[0] ?? "") : `${local[0]}${local.at(-1)}`;
  return local.length <= 2 ? `${shown}***@${domain}` : `${shown[0]}***${shown[1]}@${domain}`;
}

/** 110***********1234: first three and last four of an 18-character ID number. */
export function maskIdNumber(id: string): string {
  return `${id.slice(0, 3)}${"*".repeat(Math.max(0, id.length - 7))}${id.slice(-4)}`;
}

export function maskCard(last4: string): string {
  return `**** ${last4}`;
}

/** 张*三 / 李* / 欧阳**: the payee's name as a payer may see it. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars.at(-1)}`;
}
