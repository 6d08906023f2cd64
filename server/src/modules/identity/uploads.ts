// Uploaded proofs: the type is read from the file's first bytes, never from its name or the
// client's Content-Type, and the bytes are kept in the `files` table.
import type { FastifyRequest } from "fastify";
import { sha256Hex } from "../../crypto.js";
import type { Executor } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import { insertFile } from "./account-store.js";

export type ProofType = "image/png" | "image/jpeg" | "application/pdf" | "image/webp";

const startsWith = (data: Buffer, bytes: readonly number[], at = 0) =>
  data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);

/** The accepted type the bytes really are, or null. */
export function sniffProofType(data: Buffer): ProofType | null {
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(data, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8)) {
    return "image/webp"; // RIFF....WEBP
  }
  return null;
}

export type MultipartForm = { fields: Map<string, string>; file: { field: string; data: Buffer } | null };

/**
 * Reads a multipart body into its text fields and its one file. Over-size files and bodies
 * become 413 `payload_too_large`; a request that is not multipart becomes 415.
 */
export async function readMultipartForm(req: FastifyRequest): Promise<MultipartForm> {
  if (!req.isMultipart()) {
    throw new DomainError("unsupported_file", { detail: "Send the request as multipart/form-data" });
  }
  const fields = new Map<string, string>();
  let file: MultipartForm["file"] = null;
  try {
    for await (const part of req.parts()) {
      if (part.type === "file") {
        const data = await part.toBuffer();
        if (file) throw new DomainError("bad_request", { detail: "Send one file" });
        file = { field: part.fieldname, data };
      } else if (typeof part.value === "string") {
        if (fields.has(part.fieldname)) {
          throw new DomainError("bad_request", { detail: `Field ${part.fieldname} is repeated` });
        }
        fields.set(part.fieldname, part.value);
      } else {
        throw new DomainError("bad_request", { detail: `Field ${part.fieldname} is not text` });
      }
    }
  } catch (err) {
    throw asUploadError(err);
  }
  return { fields, file };
}

function asUploadError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (e.statusCode === 413 || e.code === "FST_REQ_FILE_TOO_LARGE" || e.code === "FST_FILES_LIMIT") {
    return new DomainError("payload_too_large", { detail: "A proof may be at most 5 MB" });
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return new DomainError("bad_request", { detail: "The multipart body could not be read" });
  }
  return err;
}

/** Checks the bytes and stores them; returns the new `files` row id. */
export async function storeProofFile(
  db: Executor,
  ownerUserId: string,
  data: Buffer,
  now: Date,
): Promise<{ id: string; contentType: ProofType }> {
  if (data.length === 0) throw new DomainError("bad_request", { detail: "The proof file is empty" });
  const contentType = sniffProofType(data);
  if (!contentType)
    throw new DomainError("unsupported_file", { detail: "Upload a PNG, JPEG, WebP or PDF file" });
  const id = await insertFile(db, { ownerUserId, contentType, data, sha256: sha256Hex(data), now });
  return { id, contentType };
}

/** A picture sent in a chat: PNG, JPEG or WebP by its bytes (no PDFs, no scripts as images). */
export async function storeChatImage(
  db: Executor,
  ownerUserId: string,
  data: Buffer,
  now: Date,
): Promise<{ id: string; contentType: ProofType }> {
  const contentType = sniffProofType(data);
  if (!contentType?.startsWith("image/")) {
    throw new DomainError("unsupported_file", { detail: "Send a PNG, JPEG or WebP picture" });
  }
  const id = await insertFile(db, { ownerUserId, contentType, data, sha256: sha256Hex(data), now });
  return { id, contentType };
}
