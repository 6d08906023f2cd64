// Display and home-screen preferences, kept in users.preferences and shared by every face.
import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { Preferences } from "../../db/schema.js";
import { mergePreferences } from "./account-store.js";

/** The tiles a customer may put on the portal's home screen, in no particular order. */
export const homeModuleIds = [
  "balance",
  "topup",
  "pay",
  "transfer",
  "withdraw",
  "bills",
  "history",
  "cards",
  "help",
  "chat",
  "security",
] as const;

export const preferencesSchema = z
  .object({
    language: z.enum(["zh-CN", "en"]),
    theme: z.enum(["light", "dark", "high-contrast"]),
    fontSize: z.enum(["standard", "large", "extra-large"]),
    elderMode: z.boolean(),
    homeModules: z
      .array(z.enum(homeModuleIds))
      .max(homeModuleIds.length)
      .refine((ids) => new Set(ids).size === ids.length, "each module may appear once"),
  })
  .partial()
  .strict();

export async function updatePreferences(
  ctx: AppContext,
  userId: string,
  patch: z.infer<typeof preferencesSchema>,
): Promise<Preferences> {
  // Keys left out are kept; the store merges shallowly, so homeModules is replaced whole.
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Preferences;
  return mergePreferences(ctx.db, userId, defined, ctx.clock.now());
}

// Built once (`.strip()` makes a new schema, which zod compiles on its first parse).
const storedPreferencesSchema = preferencesSchema.strip();

/** Stored preferences as the API shows them: unknown or stale keys are left out. */
export function publicPreferences(stored: Preferences): z.infer<typeof preferencesSchema> {
  const known = storedPreferencesSchema.safeParse(stored);
  return known.success ? known.data : {};
}
