// Previous / next over a cursor-paged list: the cursors of the pages already seen are kept here,
// so "previous" goes back without the server keeping any state.
import { Button, Space } from "antd";
import { useCallback, useReducer } from "react";
import { useTranslation } from "react-i18next";

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
