import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff } from "../../../test/factories.js";
import { createTestApp, type TestApp, type TestClient } from "../../../test/harness.js";
import { sha256Hex } from "../../crypto.js";
import { reviewHandler } from "../reviews/registry.js";
import { PROFILE_CHANGE_KIND } from "./change-requests.js";
import { idNumberCheckChar } from "./id-number.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const PNG = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), randomBytes(64)]);
const JPEG = Buffer.concat([Buffer.from("ffd8ffe000104a464946", "hex"), randomBytes(64)]);
const PDF = Buffer.from("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n");
const GIF = Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1");

let idSequence = 100;
/** A valid ID number no other test in this file uses. */
function newIdNumber(birth = "19900307"): string {
  idSequence += 1;
  const first17 = `110105${birth}${idSequence}`;
  return `${first17}${idNumberCheckChar(first17)}`;
}

type Part = { name: string; value: string } | { name: string; filename: string; type: string; data: Buffer };

function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----oc${randomBytes(8).toString("hex")}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const head =
      "data" in p
        ? `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type}\r\n\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n`;
    chunks.push(Buffer.from(head), "data" in p ? p.data : Buffer.from(p.value), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function submit(client: TestClient, field: string, value: string, proof: Buffer = PNG, type = "image/png") {
  const form = multipart([
    { name: "field", value: field },
    { name: "value", value },
    { name: "proof", filename: "proof.png", type, data: proof },
  ]);
  return client.post("/api/v1/me/change-requests", form.body, {
    headers: { "content-type": form.contentType },
  });
}

const reviewItemsOf = (userId: string) =>
  t.db.selectFrom("review_items").selectAll().where("subject_user_id", "=", userId).execute();
const filesOf = (userId: string) =>
  t.db
    .selectFrom("files")
    .select(["id", "sha256", "size", "content_type"])
    .where("owner_user_id", "=", userId)
    .execute();

describe("asking to change the legal name or ID number", () => {
  it("stores the proof and a review item that holds the new value only encrypted and masked", async () => {
    const c = await createCustomer(t, { name: "张三" });
    const res = await submit(c.client, "name", "张三丰");
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: expect.any(String), status: "pending" });

    const files = await filesOf(c.user.id);
    expect(files).toEqual([
      { id: expect.any(String), sha256: sha256Hex(PNG), size: PNG.length, content_type: "image/png" },
    ]);
    const [item] = await reviewItemsOf(c.user.id);
    expect(item).toMatchObject({ kind: "profile_change", status: "pending", created_by: c.user.id });
    expect(item?.payload).toEqual({
      field: "name",
      valueEnc: expect.any(String),
      masked: "张*丰",
      proofFileId: files[0]?.id,
    });
    expect(JSON.stringify(item)).not.toContain("张三丰");

    const list = await c.client.get("/api/v1/me/change-requests");
    expect(list.json()).toEqual({
      items: [
        {
          id: res.json().id,
          field: "name",
          value: "张*丰",
          status: "pending",
          reason: null,
          createdAt: expect.any(String),
          decidedAt: null,
        },
      ],
    });
  });

  it("applies an approved ID number encrypted, masked and hashed, and tells the customer", async () => {
    const c = await createCustomer(t, { name: "李四" });
    const idNumber = newIdNumber();
    const res = await submit(c.client, "idNumber", idNumber.toLowerCase(), PDF, "application/pdf");
    expect(res.statusCode).toBe(201);
    const [item] = await reviewItemsOf(c.user.id);
    expect(JSON.stringify(item)).not.toContain(idNumber);

    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const view = await reviewer.client.get(`/api/v1/console/reviews/${res.json().id}`);
    expect(view.statusCode).toBe(200);
    expect(view.body).not.toContain(idNumber);
    expect(view.body).toContain(`${idNumber.slice(0, 3)}***********${idNumber.slice(-4)}`);
    const proof = await reviewer.client.get(`/api/v1/console/reviews/${res.json().id}/proof`);
    expect(proof.rawPayload.equals(PDF)).toBe(true);

    const approved = await reviewer.client.post(`/api/v1/console/reviews/${res.json().id}/approve`, {});
    expect(approved.statusCode).toBe(200);
    const row = await t.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    expect(row.id_number_masked).toBe(`${idNumber.slice(0, 3)}***********${idNumber.slice(-4)}`);
    expect(row.id_number_hash).toBe(t.ctx.crypto.lookupHash(idNumber));
    expect(row.id_number_enc && t.ctx.crypto.decrypt(row.id_number_enc)).toBe(idNumber);
    expect(row.verification_level).toBe(2);
    const raw = JSON.stringify(row) + (row.id_number_enc?.toString("latin1") ?? "");
    expect(raw).not.toContain(idNumber);

    const inbox = await c.client.get("/api/v1/me/notifications");
    expect(inbox.json().items[0]).toMatchObject({ kind: "security.profile_change_approved" });
    const list = await c.client.get("/api/v1/me/change-requests");
    expect(list.json().items[0]).toMatchObject({ status: "approved", decidedAt: expect.any(String) });
  });

  it("applies an approved name", async () => {
    const c = await createCustomer(t, { name: "王五" });
    const res = await submit(c.client, "name", "王小五", JPEG, "image/jpeg");
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    expect(
      (await reviewer.client.post(`/api/v1/console/reviews/${res.json().id}/approve`, {})).statusCode,
    ).toBe(200);
    const row = await t.db
      .selectFrom("users")
      .select("name")
      .where("id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe("王小五");
  });

  it("gives the reviewer a conflict when another account already holds the ID number", async () => {
    const idNumber = newIdNumber();
    const holder = await createCustomer(t);
    await t.db
      .updateTable("users")
      .set({
        id_number_hash: t.ctx.crypto.lookupHash(idNumber),
        id_number_enc: t.ctx.crypto.encrypt(idNumber),
      })
      .where("id", "=", holder.user.id)
      .execute();
    const c = await createCustomer(t);
    const res = await submit(c.client, "idNumber", idNumber);
    expect(res.statusCode).toBe(201);
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const approved = await reviewer.client.post(`/api/v1/console/reviews/${res.json().id}/approve`, {});
    expect(approved.statusCode).toBe(409);
    expect(approved.json().code).toBe("conflict");
    const [item] = await reviewItemsOf(c.user.id);
    expect(item?.status).toBe("pending");
    const row = await t.db
      .selectFrom("users")
      .select("id_number_hash")
      .where("id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    expect(row.id_number_hash).toBeNull();
  });

  it("tells the customer the reason of a rejection", async () => {
    const c = await createCustomer(t);
    const res = await submit(c.client, "name", "赵六");
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const rejected = await reviewer.client.post(`/api/v1/console/reviews/${res.json().id}/reject`, {
      reason: "证明材料不清晰",
    });
    expect(rejected.statusCode).toBe(200);
    const list = await c.client.get("/api/v1/me/change-requests");
    expect(list.json().items[0]).toMatchObject({ status: "rejected", reason: "证明材料不清晰" });
    const inbox = await c.client.get("/api/v1/me/notifications");
    expect(inbox.json().items[0].body).toContain("证明材料不清晰");
    const row = await t.db
      .selectFrom("users")
      .select("name")
      .where("id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBeNull();
  });

  it("allows one pending request per field", async () => {
    const c = await createCustomer(t);
    expect((await submit(c.client, "name", "钱七")).statusCode).toBe(201);
    const second = await submit(c.client, "name", "钱八");
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe("conflict");
    expect((await submit(c.client, "idNumber", newIdNumber())).statusCode).toBe(201);
    expect(await reviewItemsOf(c.user.id)).toHaveLength(2);
    expect(await filesOf(c.user.id)).toHaveLength(2);
  });

  it("shows reviewers masked values only", () => {
    const handler = reviewHandler(PROFILE_CHANGE_KIND);
    const described = handler?.describe({
      id: "00000000-0000-4000-8000-000000000000",
      kind: PROFILE_CHANGE_KIND,
      subjectUserId: null,
      payload: {
        field: "idNumber",
        valueEnc: t.ctx.crypto.encrypt("11010519491231002X").toString("base64"),
        masked: "110***********002X",
        proofFileId: "00000000-0000-4000-8000-000000000001",
      },
      createdBy: null,
      createdAt: new Date(),
    });
    expect(described?.summary).toEqual({ field: "idNumber", value: "110***********002X" });
    expect(JSON.stringify(described)).not.toContain("11010519491231002X");
  });

  it("accepts a proof of almost 5 MB", async () => {
    const c = await createCustomer(t);
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024 - PNG.length - 1)]);
    const res = await submit(c.client, "name", "孙八", big);
    expect(res.statusCode).toBe(201);
    expect((await filesOf(c.user.id))[0]?.size).toBe(big.length);
  });
});

describe("bad change requests", () => {
  async function expectNothingStored(userId: string) {
    expect(await reviewItemsOf(userId)).toEqual([]);
    expect(await filesOf(userId)).toEqual([]);
  }

  it("refuses a GIF sent as image/png with 415, by its bytes", async () => {
    const c = await createCustomer(t);
    const res = await submit(c.client, "name", "周九", GIF, "image/png");
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe("unsupported_file");
    await expectNothingStored(c.user.id);
  });

  it("refuses a script disguised as a PDF", async () => {
    const c = await createCustomer(t);
    const res = await submit(
      c.client,
      "name",
      "周九",
      Buffer.from("<script>alert(1)</script>"),
      "application/pdf",
    );
    expect(res.json().code).toBe("unsupported_file");
    await expectNothingStored(c.user.id);
  });

  it("refuses a proof over 5 MB with 413", async () => {
    const c = await createCustomer(t);
    const res = await submit(c.client, "name", "吴十", Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]));
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe("payload_too_large");
    await expectNothingStored(c.user.id);
  });

  it("refuses an invalid ID number", async () => {
    const c = await createCustomer(t);
    const valid = newIdNumber();
    const broken = `${valid.slice(0, 17)}${valid[17] === "0" ? "1" : "0"}`;
    const res = await submit(c.client, "idNumber", broken);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "invalid_id_number", reason: "checksum" });
    await expectNothingStored(c.user.id);
  });

  it("refuses a JSON body with 415", async () => {
    const c = await createCustomer(t);
    const res = await c.client.post("/api/v1/me/change-requests", { field: "name", value: "x" });
    expect(res.statusCode).toBe(415);
    await expectNothingStored(c.user.id);
  });

  it.each<[string, Part[]]>([
    [
      "an unknown field",
      [
        { name: "field", value: "phone" },
        { name: "value", value: "13900000000" },
      ],
    ],
    ["a missing value", [{ name: "field", value: "name" }]],
    [
      "an oversize value",
      [
        { name: "field", value: "name" },
        { name: "value", value: "名".repeat(101) },
      ],
    ],
    [
      "a name of digits",
      [
        { name: "field", value: "name" },
        { name: "value", value: "12345" },
      ],
    ],
    [
      "an extra form field",
      [
        { name: "field", value: "name" },
        { name: "value", value: "A" },
        { name: "x", value: "1" },
      ],
    ],
    [
      "a repeated field",
      [
        { name: "field", value: "name" },
        { name: "field", value: "idNumber" },
        { name: "value", value: "A" },
      ],
    ],
  ])("answers %s with a 400 and stores nothing", async (_label, fields) => {
    const c = await createCustomer(t);
    const form = multipart([...fields, { name: "proof", filename: "p.png", type: "image/png", data: PNG }]);
    const res = await c.client.post("/api/v1/me/change-requests", form.body, {
      headers: { "content-type": form.contentType },
    });
    expect(res.statusCode).toBe(400);
    expect(["validation_failed", "bad_request"]).toContain(res.json().code);
    await expectNothingStored(c.user.id);
  });

  it("answers a missing proof, or a proof under another name, with validation_failed", async () => {
    const c = await createCustomer(t);
    const noFile = multipart([
      { name: "field", value: "name" },
      { name: "value", value: "郑十一" },
    ]);
    const res = await c.client.post("/api/v1/me/change-requests", noFile.body, {
      headers: { "content-type": noFile.contentType },
    });
    expect(res.json().code).toBe("validation_failed");
    const wrongName = multipart([
      { name: "field", value: "name" },
      { name: "value", value: "郑十一" },
      { name: "photo", filename: "p.png", type: "image/png", data: PNG },
    ]);
    const res2 = await c.client.post("/api/v1/me/change-requests", wrongName.body, {
      headers: { "content-type": wrongName.contentType },
    });
    expect(res2.json().code).toBe("validation_failed");
    await expectNothingStored(c.user.id);
  });

  it("refuses two files", async () => {
    const c = await createCustomer(t);
    const form = multipart([
      { name: "field", value: "name" },
      { name: "value", value: "郑十一" },
      { name: "proof", filename: "a.png", type: "image/png", data: PNG },
      { name: "proof2", filename: "b.png", type: "image/png", data: PNG },
    ]);
    const res = await c.client.post("/api/v1/me/change-requests", form.body, {
      headers: { "content-type": form.contentType },
    });
    expect([400, 413]).toContain(res.statusCode);
    await expectNothingStored(c.user.id);
  });
});
