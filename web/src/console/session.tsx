// Who is logged in, as the server sees it; every screen reads this, and login/logout refresh it.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { get, post } from "../common/api";
import type { Me } from "./api-types";
import { type ConsolePermission, permissionsOf } from "./permissions";

export type SessionState =
  | { status: "loading" }
  | { status: "anonymous" }
  /** Logged in with a password but two-step verification is not set up yet. */
  | { status: "enrolling" }
  | { status: "ready"; me: Me; permissions: Set<ConsolePermission> };

type SessionApi = {
  state: SessionState;
  refresh(): Promise<void>;
  logout(): Promise<void>;
};

const SessionContext = createContext<SessionApi | null>(null);

type SessionInfo = { authenticated: boolean; stage: "full" | "mfa_enroll" | null; user: Me | null };

async function loadSession(): Promise<SessionState> {
  const session = await get<SessionInfo>("/api/v1/auth/session");
  if (!session.authenticated || !session.user) return { status: "anonymous" };
  if (session.stage === "mfa_enroll") return { status: "enrolling" };
  return { status: "ready", me: session.user, permissions: permissionsOf(session.user.roles) };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });

  const refresh = useCallback(async () => {
    try {
      setState(await loadSession());
    } catch {
      setState({ status: "anonymous" });
    }
  }, []);

  const logout = useCallback(async () => {
    try {
      await post("/api/v1/auth/logout");
    } finally {
      setState({ status: "anonymous" });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo(() => ({ state, refresh, logout }), [state, refresh, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error("useSession outside SessionProvider");
  return api;
}

/** The logged-in staff member; only for screens rendered behind the login gate. */
export function useMe(): { me: Me; permissions: Set<ConsolePermission> } {
  const { state } = useSession();
  if (state.status !== "ready") throw new Error("useMe before the session is ready");
  return { me: state.me, permissions: state.permissions };
}
