// Staff management for admins: every change is audited.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { requireAuth } from "../../http/guard.js";
import { staffRoles } from "../../http/permissions.js";
import { createStaff, listStaff, updateStaff } from "./staff-accounts.js";

const staffMember = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  roles: z.array(z.string()),
  status: z.enum(["active", "frozen", "disabled"]),
  disabled: z.boolean(),
  totpEnabled: z.boolean(),
  createdAt: z.iso.datetime(),
  lastLoginAt: z.iso.datetime().nullable(),
});

const role = z.enum(staffRoles);
const roleList = z.array(role).min(1).max(staffRoles.length);
const staffName = z.string().trim().min(1).max(100);

export async function staffAccountRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const actorOf = (req: Parameters<typeof requireAuth>[0]) => ({ id: requireAuth(req).user.id, ip: req.ip });

  app.get(
    "/api/v1/console/staff",
    {
      config: { permission: "staff:manage" },
      schema: {
        tags: ["console"],
        summary: "Every staff account, oldest first",
        response: { 200: z.object({ items: z.array(staffMember) }) },
      },
    },
    async () => ({ items: await listStaff(ctx) }),
  );

  app.post(
    "/api/v1/console/staff",
    {
      config: { permission: "staff:manage" },
      schema: {
        tags: ["console"],
        summary: "Create a staff account; they set up two-step verification at first login",
        body: z.strictObject({
          email: z.email().max(254),
          name: staffName,
          roles: roleList,
          password: z.string().min(1).max(128),
        }),
        response: { 201: staffMember },
      },
    },
    async (req, reply) => reply.code(201).send(await createStaff(ctx, req.body, actorOf(req))),
  );

  app.patch(
    "/api/v1/console/staff/:id",
    {
      config: { permission: "staff:manage" },
      schema: {
        tags: ["console"],
        summary: "Change a staff member's roles or name, or disable them (ends their sessions)",
        params: z.object({ id: z.uuid() }),
        body: z
          .strictObject({
            roles: roleList.optional(),
            disabled: z.boolean().optional(),
            name: staffName.optional(),
          })
          .refine((b) => b.roles !== undefined || b.disabled !== undefined || b.name !== undefined, {
            message: "Give at least one of roles, disabled, name",
          }),
        response: { 200: staffMember },
      },
    },
    async (req) => updateStaff(ctx, req.params.id, req.body, actorOf(req)),
  );
}
