// Which channels besides the in-app inbox a customer wants for each kind of notice. Kept in
// users.preferences.notifications; the in-app inbox is always written, whatever is chosen.
import { sql } from "kysely";
import { z } from "zod";
import type { Executor } from "../../db/database.js";

export const notificationTopics = ["balance", "withdrawal", "security", "support"] as const;
export type NotificationTopic = (typeof notificationTopics)[number];

export type Channels = { sms: boolean; email: boolean };
export type Subscriptions = Record<NotificationTopic, Channels>;

/**
 * Defaults for a customer who never chose: balance changes stay in the app (a busy wallet would
 * otherwise send many texts), withdrawal progress and security alerts go by SMS, support replies
 * by email. Security alerts always go by SMS: a stolen session must not be able to silence them.
 */
export const defaultSubscriptions: Subscriptions = {
  balance: { sms: false, email: false },
  withdrawal: { sms: true, email: false },
  security: { sms: true, email: true },
  support: { sms: false, email: true },
};

/** Topics whose SMS cannot be switched off. */
export const alwaysSms: readonly NotificationTopic[] = ["security"];

const channelsPatch = z.strictObject({ sms: z.boolean().optional(), email: z.boolean().optional() });

/** A change to some topics and channels; what is left out is kept. */
export const subscriptionsPatchSchema = z.strictObject({
  balance: channelsPatch.optional(),
  withdrawal: channelsPatch.optional(),
  security: channelsPatch.optional(),
  support: channelsPatch.optional(),
});
export type SubscriptionsPatch = z.infer<typeof subscriptionsPatchSchema>;

const channels = z.object({ sms: z.boolean(), email: z.boolean() });
export const subscriptionsSchema = z.object({
  balance: channels,
  withdrawal: channels,
  security: channels,
  support: channels,
});

// Built once: zod compiles each object schema on its first parse, and `.strip()` makes a new
// schema. Made per call, this took a few percent of the app's CPU under bench:payments, where
// the balance-notice loop reads every payer's choices.
const storedSubscriptionsSchema = subscriptionsPatchSchema.strip();

/** Stored choices over the defaults; anything stored that does not parse is ignored. */
export function effectiveSubscriptions(stored: unknown): Subscriptions {
  const parsed = storedSubscriptionsSchema.safeParse(stored ?? {});
  const choices: SubscriptionsPatch = parsed.success ? parsed.data : {};
  const out = {} as Subscriptions;
  for (const topic of notificationTopics) {
    const chosen = choices[topic] ?? {};
    out[topic] = {
      sms: alwaysSms.includes(topic) ? true : (chosen.sms ?? defaultSubscriptions[topic].sms),
      email: chosen.email ?? defaultSubscriptions[topic].email,
    };
  }
  return out;
}

export async function readSubscriptions(db: Executor, userId: string): Promise<Subscriptions> {
  const row = await db
    .selectFrom("users")
    .select(sql<unknown>`preferences -> 'notifications'`.as("notifications"))
    .where("id", "=", userId)
    .executeTakeFirst();
  return effectiveSubscriptions(row?.notifications);
}

/** SMS and email flags for one notice to one customer, ready to spread into notifyUser's item. */
export async function channelsFor(db: Executor, userId: string, topic: NotificationTopic): Promise<Channels> {
  return (await readSubscriptions(db, userId))[topic];
}

/**
 * Merges a change into the stored choices topic by topic (one statement, so two devices saving
 * different topics at once both keep theirs) and returns the effective subscriptions.
 */
export async function updateSubscriptions(
  db: Executor,
  userId: string,
  patch: SubscriptionsPatch,
  now: Date,
): Promise<Subscriptions> {
  const merged: Record<string, Channels | Partial<Channels>> = {};
  for (const topic of notificationTopics) {
    const change = patch[topic];
    if (!change) continue;
    const { sms, email } = change;
    merged[topic] = {
      ...(sms !== undefined && !alwaysSms.includes(topic) ? { sms } : {}),
      ...(email !== undefined ? { email } : {}),
    };
  }
  // Per topic: stored channels || changed channels, so a change to email keeps the stored sms.
  const row = await db
    .updateTable("users")
    .set({
      preferences: sql<string>`jsonb_set(
        preferences,
        '{notifications}',
        (
          select coalesce(jsonb_object_agg(k, coalesce(old.v, '{}'::jsonb) || coalesce(new.v, '{}'::jsonb)), '{}'::jsonb)
          from (
            select key as k from jsonb_each(coalesce(preferences -> 'notifications', '{}'::jsonb))
            union
            select key from jsonb_each(${JSON.stringify(merged)}::jsonb)
          ) keys
          left join lateral (select coalesce(preferences -> 'notifications', '{}'::jsonb) -> keys.k as v) old on true
          left join lateral (select ${JSON.stringify(merged)}::jsonb -> keys.k as v) new on true
        ),
        true
      )`,
      updated_at: now,
    })
    .where("id", "=", userId)
    .returning(sql<unknown>`preferences -> 'notifications'`.as("notifications"))
    .executeTakeFirstOrThrow();
  return effectiveSubscriptions(row.notifications);
}
