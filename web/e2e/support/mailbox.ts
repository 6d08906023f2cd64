// Reads one-time codes from the dev mailbox, as a person trying the demo would.
import { type APIRequestContext, expect } from "@playwright/test";

type Message = {
  to: string;
  channel: "sms" | "email";
  subject: string | null;
  body: string;
  createdAt: string;
};

export async function messagesTo(request: APIRequestContext, to: string): Promise<Message[]> {
  const res = await request.get(`/api/v1/dev/messages?to=${encodeURIComponent(to)}`);
  expect(res.ok()).toBeTruthy();
  const data = (await res.json()) as { items: Message[] };
  return data.items;
}

/** Waits for a message to `to` sent after `since` that carries a 6-digit code, and returns the code. */
export async function waitForCode(request: APIRequestContext, to: string, since: Date): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(
      async () => {
        const fresh = (await messagesTo(request, to)).find(
          (m) => new Date(m.createdAt) >= since && /\d{6}/.test(m.body),
        );
        code = fresh?.body.match(/(\d{6})/)?.[1];
        return code;
      },
      { message: `a code sent to ${to}`, timeout: 10_000 },
    )
    .toBeTruthy();
  return code ?? "";
}

/** A mainland mobile number not used by the demo data, unique per call. */
export function uniquePhone(): string {
  const tail = `${Date.now() % 1e8}`.padStart(8, "0");
  const rand = Math.floor(Math.random() * 10);
  return `15${rand}${tail}`;
}
