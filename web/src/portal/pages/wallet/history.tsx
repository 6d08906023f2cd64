// The customer's history: filters (type, direction, China-time dates), pages joined by cursor as the
// list scrolls, downloads of what the filters select (CSV, Excel) and a monthly PDF statement.
import { Button } from "antd-mobile";
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../../common/api";
import { errorText } from "../../../common/ui/error-text";
import { ChoiceGroup } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { Page, Section } from "../../layout";
import { chinaMidnight } from "./money";
import { TransactionRow } from "./transaction-row";
import { type TransactionPage, transactionTypes, type WalletTransaction } from "./wallet-types";
import { typeLabel } from "./wallet-words";
import "./wallet.css";

type Filters = { type: string; direction: "" | "in" | "out"; from: string; to: string };
const noFilters: Filters = { type: "", direction: "", from: "", to: "" };

/** The query both the list and the exports read; dates are whole China days, `to` inclusive. */
export function filterQuery(f: Filters): URLSearchParams {
  const q = new URLSearchParams();
  if (f.type) q.set("type", f.type);
  if (f.direction) q.set("direction", f.direction);
  if (f.from) q.set("from", chinaMidnight(f.from));
  if (f.to) q.set("to", chinaMidnight(f.to, 1));
  return q;
}

/** This month in China time, as yyyy-mm. */
function chinaMonth(at = new Date()): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
}

function useHistory(filters: Filters) {
  const { t } = useTranslation();
  const [items, setItems] = useState<WalletTransaction[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  // Answers to an older filter are dropped when they arrive late.
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const mine = after ? generation.current : ++generation.current;
      const q = filterQuery(filters);
      q.set("limit", "20");
      if (after) q.set("cursor", after);
      setBusy(true);
      try {
        const page = await get<TransactionPage>(`/api/v1/wallet/transactions?${q}`);
        if (mine !== generation.current) return;
        setItems((old) => (after ? [...old, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setLoaded(true);
        setError("");
      } catch (err) {
        if (mine === generation.current) setError(errorText(t, err));
      } finally {
        setBusy(false);
      }
    },
    [filters, t],
  );

  useEffect(() => {
    void fetchPage(null);
  }, [fetchPage]);

  return { items, loaded, busy, error, more: cursor ? () => fetchPage(cursor) : null };
}

export function HistoryPage() {
  const { t } = useTranslation();
  const ids = useId();
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [month, setMonth] = useState(chinaMonth());
  const history = useHistory(filters);
  const sentinel = useRef<HTMLDivElement | null>(null);
  const { more, busy } = history;

  // Infinite scroll: the next page loads when the end of the list comes into view; the button stays for keyboards.
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !more || typeof IntersectionObserver === "undefined") return;
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !busy) void more();
    });
    seen.observe(node);
    return () => seen.disconnect();
  }, [more, busy]);

  function apply(e: FormEvent) {
    e.preventDefault();
    setFilters(draft);
  }

  const exportQuery = filterQuery(filters);
  const exportHref = (format: "csv" | "xlsx") => {
    const q = new URLSearchParams(exportQuery);
    q.set("format", format);
    return `/api/v1/wallet/transactions/export?${q}`;
  };
  const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);

  return (
    <Page title={t("wallet.historyTitle")} back="/wallet">
      <Section title={t("wallet.filters")}>
        <form className="oc-form" onSubmit={apply} aria-label={t("wallet.filters")}>
          <div className="oc-filters">
            <div className="oc-field">
              <label htmlFor={`${ids}-type`}>{t("wallet.type")}</label>
              <select
                id={`${ids}-type`}
                className="oc-select"
                value={draft.type}
                onChange={(e) => setDraft({ ...draft, type: e.target.value })}
              >
                <option value="">{t("wallet.allTypes")}</option>
                {transactionTypes.map((type) => (
                  <option key={type} value={type}>
                    {typeLabel(t, type)}
                  </option>
                ))}
              </select>
            </div>
            <div className="oc-field">
              <label htmlFor={`${ids}-from`}>{t("wallet.from")}</label>
              <input
                id={`${ids}-from`}
                type="date"
                className="oc-input"
                value={draft.from}
                onChange={(e) => setDraft({ ...draft, from: e.target.value })}
              />
            </div>
            <div className="oc-field">
              <label htmlFor={`${ids}-to`}>{t("wallet.to")}</label>
              <input
                id={`${ids}-to`}
                type="date"
                className="oc-input"
                value={draft.to}
                onChange={(e) => setDraft({ ...draft, to: e.target.value })}
              />
            </div>
            <ChoiceGroup
              legend={t("wallet.direction")}
              name={`${ids}-direction`}
              value={draft.direction}
              options={[
                { value: "", label: t("wallet.allDirections") },
                { value: "in", label: t("wallet.in") },
                { value: "out", label: t("wallet.out") },
              ]}
              onChange={(direction) => setDraft({ ...draft, direction })}
            />
            <div className="oc-actions oc-filter-actions">
              <Button type="submit" color="primary">
                {t("wallet.applyFilters")}
              </Button>
              <Button
                type="button"
                onClick={() => {
                  setDraft(noFilters);
                  setFilters(noFilters);
                }}
              >
                {t("wallet.clearFilters")}
              </Button>
            </div>
          </div>
        </form>
      </Section>

      <Section title={t("wallet.transactions")}>
        {history.error ? <Notice tone="error">{history.error}</Notice> : null}
        {history.loaded && history.items.length === 0 ? <p>{t("wallet.noTransactions")}</p> : null}
        <ul className="oc-money-list" aria-busy={history.busy}>
          {history.items.map((tx) => (
            <li key={tx.id}>
              <TransactionRow tx={tx} />
            </li>
          ))}
        </ul>
        <div ref={sentinel} />
        {history.more ? (
          <button type="button" className="oc-button" onClick={history.more} disabled={history.busy}>
            {t("common.more")}
          </button>
        ) : history.loaded && history.items.length > 0 ? (
          <p className="oc-weak">{t("wallet.noMore")}</p>
        ) : null}
      </Section>

      <Section title={t("wallet.downloads")}>
        <p className="oc-weak">{t("wallet.exportHint")}</p>
        <div className="oc-chips">
          <a className="oc-button" href={exportHref("csv")} download>
            {t("wallet.exportCsv")}
          </a>
          <a className="oc-button" href={exportHref("xlsx")} download>
            {t("wallet.exportXlsx")}
          </a>
        </div>
        <div className="oc-field">
          <label htmlFor={`${ids}-month`}>{t("wallet.statementMonth")}</label>
          <div className="oc-field-row">
            <input
              id={`${ids}-month`}
              type="month"
              className="oc-input"
              value={month}
              max={chinaMonth()}
              onChange={(e) => setMonth(e.target.value)}
            />
            {validMonth ? (
              <a className="oc-button" href={`/api/v1/wallet/statements/${month}`} download>
                {t("wallet.statementDownload")}
              </a>
            ) : null}
          </div>
        </div>
      </Section>
    </Page>
  );
}
