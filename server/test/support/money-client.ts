// One small HTTP client shape for the money proofs, over either the in-process app (inject) or a
// real socket to a server running as a child process (fetch). Both keep cookies and echo the
// CSRF cookie, as a browser would.
import type { TestClient } from "../harness.js";

export type Reply = {
  status: number;
  text: string;
  header(name: string): string | undefined;
  json<T = Record<string, unknown>>(): T;
};

export type RequestOptions = {
  /** A JSON value, or a string sent as it is (for signed bodies). */
  body?: unknown;
  headers?: Record<string, string>;
};

export interface MoneyClient {
  readonly ip: string;
  setCookie(name: string, value: string): void;
  /** Rejects only when no answer came (connection refused or reset, timeout). */
  request(method: "GET" | "POST" | "PUT", path: string, opts?: RequestOptions): Promise<Reply>;
}

function reply(status: number, text: string, header: (name: string) => string | undefined): Reply {
  return { status, text, header, json: <T>() => JSON.parse(text) as T };
}

/** The in-process app through a TestClient (fastify inject). */
export function injectClient(client: TestClient): MoneyClient {
  return {
    get ip() {
      return client.ip;
    },
    setCookie: (name, value) => {
      client.cookies.set(name, value);
    },
    async request(method, path, opts = {}) {
      const res = await client.request(method, path, opts.body, { headers: opts.headers });
      return reply(res.statusCode, res.body, (name) => {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? undefined : String(v);
      });
    },
  };
}

/**
 * A real HTTP client for a server on a socket. The server must trust X-Forwarded-For
 * (TRUST_PROXY=true) so each client counts as its own address for the per-IP request limits.
 */
export class HttpClient implements MoneyClient {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    readonly ip: string,
    private readonly timeoutMs = 30_000,
  ) {}

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  async request(method: "GET" | "POST" | "PUT", path: string, opts: RequestOptions = {}): Promise<Reply> {
    if (method !== "GET" && !this.cookies.has("oc_csrf")) await this.request("GET", "/healthz");
    const headers: Record<string, string> = {
      "user-agent": "OpenCounter money proof",
      "x-forwarded-for": this.ip,
      ...opts.headers,
    };
    const csrf = this.cookies.get("oc_csrf");
    if (method !== "GET" && csrf) headers["x-csrf-token"] = csrf;
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return reply(res.status, text, (name) => res.headers.get(name) ?? undefined);
  }
}
