// The Idempotency-Key header every money-moving request carries (DESIGN.md, "Money").
import { z } from "zod";

/** Request headers of a money-moving route: the key, printable ASCII, at most 100 characters. */
export const idempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces"),
});
