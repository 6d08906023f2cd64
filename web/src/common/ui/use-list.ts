// Lists a page shows: fetched when the page opens, fetched again after a change.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../api";
import { errorText } from "./error-text";

type Describe = (err: unknown) => string;

function useDescribe(describe: Describe | undefined): Describe {
  const { t } = useTranslation();
  return useCallback((err: unknown) => (describe ? describe(err) : errorText(t, err)), [describe, t]);
}

export type List<T> = {
  items: T[];
  loading: boolean;
  /** Words for the last failed fetch; empty once one works. */
  error: string;
  reload: () => Promise<void>;
};

/** A GET answering `{ items }`. `describe`, if given, must keep its identity between renders. */
export function useList<T>(path: string, describe?: Describe): List<T> {
  const toText = useDescribe(describe);
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState("");

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setItems((await get<{ items: T[] }>(path)).items);
      setError("");
    } catch (err) {
      setError(toText(err));
    } finally {
      setLoading(false);
    }
  }, [path, toText]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { items, loading, error, reload };
}

type CursorPage<T> = { items: T[]; nextCursor: string | null };

export type CursorList<T, P extends CursorPage<T>> = {
  items: T[];
  /** The newest page fetched, for whatever else it says (an unread count). */
  last: P | null;
  error: string;
  reload: () => Promise<void>;
  /** Fetches the next page onto the end; null when there is none. */
  more: (() => Promise<void>) | null;
};

/** A GET answering pages of twenty joined by `nextCursor`. */
export function useCursorList<T, P extends CursorPage<T>>(path: string): CursorList<T, P> {
  const toText = useDescribe(undefined);
  const [items, setItems] = useState<T[]>([]);
  const [last, setLast] = useState<P | null>(null);
  const [error, setError] = useState("");

  const fetchAfter = useCallback(
    async (after: string | null) => {
      try {
        const page = await get<P>(`${path}?limit=20${after ? `&cursor=${encodeURIComponent(after)}` : ""}`);
        setItems((old) => (after ? [...old, ...page.items] : page.items));
        setLast(page);
        setError("");
      } catch (err) {
        setError(toText(err));
      }
    },
    [path, toText],
  );

  const reload = useCallback(() => fetchAfter(null), [fetchAfter]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const cursor = last?.nextCursor ?? null;
  return { items, last, error, reload, more: cursor ? () => fetchAfter(cursor) : null };
}
