// Who is signed in, their display preferences and unread count, shared by every portal page.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, get, post, put } from "../common/api";
import { rememberLanguage } from "../common/i18n";
import {
  applyPreferences,
  loadLocalPreferences,
  mergePreferences,
  type Preferences,
  saveLocalPreferences,
} from "../common/preferences";
import type { Me, NotificationPage } from "./types";

type Session = {
  me: Me | null;
  loading: boolean;
  prefs: Preferences;
  unread: number;
  refresh: () => Promise<Me | null>;
  refreshUnread: () => Promise<void>;
  signOut: () => Promise<void>;
  forget: () => void;
  updatePrefs: (change: Partial<Preferences>) => Promise<void>;
};

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [unread, setUnread] = useState(0);
  const [prefs, setPrefs] = useState<Preferences>(() => loadLocalPreferences());

  const show = useCallback(
    (next: Preferences) => {
      setPrefs(next);
      applyPreferences(next);
      saveLocalPreferences(next);
      rememberLanguage(next.language);
      if (i18n.language !== next.language) void i18n.changeLanguage(next.language);
    },
    [i18n],
  );

  const refreshUnread = useCallback(async () => {
    try {
      const page = await get<NotificationPage>("/api/v1/me/notifications?limit=1");
      setUnread(page.unread);
    } catch {
      setUnread(0);
    }
  }, []);

  const refresh = useCallback(async () => {
    try {
      const profile = await get<Me>("/api/v1/me");
      setMe(profile);
      show(mergePreferences(loadLocalPreferences(), profile.preferences));
      void refreshUnread();
      return profile;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setMe(null);
      return null;
    } finally {
      setLoading(false);
    }
  }, [show, refreshUnread]);

  const forget = useCallback(() => {
    setMe(null);
    setUnread(0);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await post("/api/v1/auth/logout");
    } finally {
      forget();
    }
  }, [forget]);

  const updatePrefs = useCallback(
    async (change: Partial<Preferences>) => {
      const next = { ...prefs, ...change };
      show(next);
      if (me) {
        const stored = await put<unknown>("/api/v1/me/preferences", change);
        show(mergePreferences(next, stored));
      }
    },
    [prefs, me, show],
  );

  // Runs once: the first look at who is signed in; later changes go through refresh and updatePrefs.
  // biome-ignore lint/correctness/useExhaustiveDependencies: first render only
  useEffect(() => {
    applyPreferences(prefs);
    refresh().catch(() => setLoading(false));
  }, []);

  const value = useMemo(
    () => ({ me, loading, prefs, unread, refresh, refreshUnread, signOut, forget, updatePrefs }),
    [me, loading, prefs, unread, refresh, refreshUnread, signOut, forget, updatePrefs],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
