// Cursor-paged lists in the console: previous / next (the cursors of the pages already seen are
// kept here, so "previous" goes back without the server keeping any state), and "load more".
import { Button, Space } from "antd";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useErrorText } from "./use-error-text";

export type CursorPages = {
  /** The cursor of the page on screen (null: the first page). */
  cursor: string | null;
  /** Whether there is a page before this one. */
  canGoBack: boolean;
  back(): void;
  forward(next: string): void;
  /** Back to the first page (new filters). */
  reset(): void;
};

/** The cursors of the pages seen so far, first page first (null: the first page). */
export type CursorTrail = ReadonlyArray<string | null>;
export type CursorMove = { kind: "back" } | { kind: "forward"; next: string } | { kind: "reset" };

/** One step through the pages; "back" on the first page stays there. */
export function moveCursor(trail: CursorTrail, move: CursorMove): CursorTrail {
  switch (move.kind) {
    case "back":
      return trail.length > 1 ? trail.slice(0, -1) : trail;
    case "forward":
      return [...trail, move.next];
    case "reset":
      return trail.length === 1 && trail[0] === null ? trail : [null];
  }
}

export function useCursorPages(): CursorPages {
  const [trail, move] = useReducer(moveCursor, [null]);
  const back = useCallback(() => move({ kind: "back" }), []);
  const forward = useCallback((next: string) => move({ kind: "forward", next }), []);
  const reset = useCallback(() => move({ kind: "reset" }), []);
  return { cursor: trail[trail.length - 1] ?? null, canGoBack: trail.length > 1, back, forward, reset };
}

/** The previous and next buttons under a table; `nextCursor` is the page's own, null on the last. */
export function CursorPager({
  pages,
  nextCursor,
}: {
  pages: CursorPages;
  nextCursor: string | null | undefined;
}) {
  const { t } = useTranslation();
  return (
    <Space style={{ marginTop: 16 }}>
      <Button disabled={!pages.canGoBack} onClick={pages.back}>
        {t("common.previous")}
      </Button>
      <Button
        disabled={!nextCursor}
        onClick={() => {
          if (nextCursor) pages.forward(nextCursor);
        }}
      >
        {t("common.next")}
      </Button>
    </Space>
  );
}

export type CursorList<T> = {
  /** The rows so far; null until the first page of the current query arrives. */
  items: T[] | null;
  /** For a row changed on the screen (a decision, say) without fetching again. */
  setItems: (update: (items: T[] | null) => T[] | null) => void;
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
  /** The next page, added below the rows already shown. */
  more(): void;
  /** The first page again, replacing the rows when it arrives. */
  reload(): void;
};

/**
 * A "load more" list over a cursor-paged API. `fetchPage` (memoised by the caller on its query)
 * fetches one page; a new `fetchPage` starts over from the first page. An answer that arrives
 * after the query changed is dropped, so a slow page of the old query never lands in the new one.
 */
export function useCursorList<P extends { nextCursor: string | null }, T>(
  fetchPage: (cursor: string | null) => Promise<P>,
  itemsOf: (page: P) => T[],
  onPage?: (page: P) => void,
): CursorList<T> {
  const errorText = useErrorText();
  const [items, setItems] = useState<T[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  // The callbacks of the render that started a load, without reloading when they change.
  const pick = useRef({ itemsOf, onPage });
  pick.current = { itemsOf, onPage };

  const load = useCallback(
    (cursor: string | null) => {
      const ticket = ++latest.current;
      setLoading(true);
      setError(null);
      fetchPage(cursor)
        .then((page) => {
          if (ticket !== latest.current) return;
          const rows = pick.current.itemsOf(page);
          setItems((prev) => (cursor && prev ? [...prev, ...rows] : rows));
          setNextCursor(page.nextCursor);
          pick.current.onPage?.(page);
        })
        .catch((err: unknown) => {
          if (ticket === latest.current) setError(errorText(err));
        })
        .finally(() => {
          if (ticket === latest.current) setLoading(false);
        });
    },
    [fetchPage, errorText],
  );

  useEffect(() => {
    setItems(null);
    setNextCursor(null);
    load(null);
  }, [load]);

  return {
    items,
    setItems,
    nextCursor,
    loading,
    error,
    more: () => {
      if (nextCursor) load(nextCursor);
    },
    reload: () => load(null),
  };
}
