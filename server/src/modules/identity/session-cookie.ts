// The session cookie: HttpOnly, SameSite=Lax, Secure behind https, seven days at most.
import type { FastifyReply } from "fastify";
import type { Config } from "../../config.js";
import { ABSOLUTE_TIMEOUT_MS, SESSION_COOKIE } from "./sessions.js";

export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.publicUrl.startsWith("https://"),
    maxAge: ABSOLUTE_TIMEOUT_MS / 1000,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.publicUrl.startsWith("https://"),
  });
}
