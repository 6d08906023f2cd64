// Canned responses: texts agents reuse, with {customerName} and {ticketNumber} filled in on use.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";

export type CannedResponse = { id: string; title: string; body: string; updatedAt: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toCanned(r: { id: string; title: string; body: string; updated_at: Date }): CannedResponse {
  return { id: r.id, title: r.title, body: r.body, updatedAt: r.updated_at.toISOString() };
}

export async function listCannedResponses(ctx: AppContext): Promise<CannedResponse[]> {
  const rows = await ctx.db
    .selectFrom("support_canned_responses")
    .select(["id", "title", "body", "updated_at"])
    .orderBy("title")
    .execute();
  return rows.map(toCanned);
}

async function titleFree(ctx: AppContext, title: string, except?: string) {
  let q = ctx.db
    .selectFrom("support_canned_responses")
    .select("id")
    .where((eb) => eb(eb.fn("lower", ["title"]), "=", title.toLowerCase()));
  if (except) q = q.where("id", "<>", except);
  if (await q.executeTakeFirst()) {
    throw new DomainError("conflict", { detail: "A canned response with this title exists", field: "title" });
  }
}

export async function createCannedResponse(
  ctx: AppContext,
  staffId: string,
  input: { title: string; body: string },
): Promise<CannedResponse> {
  const title = input.title.trim();
  await titleFree(ctx, title);
  const now = ctx.clock.now();
  const row = await ctx.db
    .insertInto("support_canned_responses")
    .values({ title, body: input.body.trim(), created_by: staffId, created_at: now, updated_at: now })
    .returning(["id", "title", "body", "updated_at"])
    .executeTakeFirstOrThrow();
  return toCanned(row);
}

export async function updateCannedResponse(
  ctx: AppContext,
  id: string,
  input: { title?: string; body?: string },
): Promise<CannedResponse> {
  if (!UUID.test(id)) throw new DomainError("not_found");
  if (input.title) await titleFree(ctx, input.title.trim(), id);
  const row = await ctx.db
    .updateTable("support_canned_responses")
    .set({
      ...(input.title ? { title: input.title.trim() } : {}),
      ...(input.body ? { body: input.body.trim() } : {}),
      updated_at: ctx.clock.now(),
    })
    .where("id", "=", id)
    .returning(["id", "title", "body", "updated_at"])
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found");
  return toCanned(row);
}

export async function deleteCannedResponse(ctx: AppContext, id: string): Promise<void> {
  if (!UUID.test(id)) throw new DomainError("not_found");
  const r = await ctx.db.deleteFrom("support_canned_responses").where("id", "=", id).executeTakeFirst();
  if (r.numDeletedRows === 0n) throw new DomainError("not_found");
}
