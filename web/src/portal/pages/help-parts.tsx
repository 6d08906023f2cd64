// Pieces of the help centre shared by the portal and the kiosk: the API calls, the search form,
// result and category lists, the article and its "was this helpful?" question.
import { type FormEvent, type ReactNode, useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { get, post } from "../../common/api";
import { errorText } from "../../common/ui/error-text";
import { Notice } from "../../common/ui/notice";
import { HelpMarkdown } from "./help-markdown";
import "./help.css";

export type HelpLang = "zh-CN" | "en";
export type HelpCategory = { slug: string; name: string; articles: number };
export type HelpListItem = { slug: string; category: string; title: string; updatedAt: string };
export type HelpHit = { slug: string; title: string; snippet: string; score: number };
export type HelpArticle = {
  slug: string;
  category: string;
  lang: HelpLang;
  title: string;
  body: string;
  keywords: string[];
  updatedAt: string;
};

export function useHelpLang(): HelpLang {
  const { i18n } = useTranslation();
  return i18n.language === "en" ? "en" : "zh-CN";
}

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();

/** Where each help GET lives; the feedback POST is the one write. */
export const helpPaths = {
  categories: (lang: HelpLang) => `/api/v1/help/categories?${query({ lang })}`,
  articles: (category: string, lang: HelpLang) => `/api/v1/help/articles?${query({ category, lang })}`,
  search: (q: string, lang: HelpLang, limit = 8) =>
    `/api/v1/help/search?${query({ q, lang, limit: String(limit) })}`,
  article: (slug: string, lang: HelpLang) =>
    `/api/v1/help/articles/${encodeURIComponent(slug)}?${query({ lang })}`,
};

export const sendHelpFeedback = (slug: string, helpful: boolean) =>
  post<void>(`/api/v1/help/articles/${encodeURIComponent(slug)}/feedback`, { helpful });

/** GETs a path whenever it changes; gives the answer, or the error in words. */
export function useLoaded<T>(path: string) {
  const { t } = useTranslation();
  const [state, setState] = useState<{ value: T | null; error: string; loading: boolean }>({
    value: null,
    error: "",
    loading: true,
  });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: "" }));
    get<T>(path).then(
      (value) => live && setState({ value, error: "", loading: false }),
      (err: unknown) => live && setState({ value: null, error: errorText(t, err), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, t]);
  return state;
}

export function HelpSearchForm({
  initial,
  onSearch,
  big,
}: {
  initial: string;
  onSearch: (q: string) => void;
  big?: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [q, setQ] = useState(initial);
  useEffect(() => setQ(initial), [initial]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) onSearch(q.trim());
  };
  return (
    <form className={big ? "oc-help-search oc-help-search-big" : "oc-help-search"} onSubmit={submit}>
      <label htmlFor={id}>{t("help.searchLabel")}</label>
      <div className="oc-field-row">
        <input
          id={id}
          type="search"
          className="oc-input"
          value={q}
          maxLength={100}
          placeholder={t("help.searchPlaceholder")}
          onChange={(e) => setQ(e.target.value)}
        />
        <button type="submit" className="oc-button">
          {t("help.searchButton")}
        </button>
      </div>
    </form>
  );
}

/** A list of links or buttons: the portal navigates by URL, the kiosk by screen. */
export type Opener = (slug: string) => { href: string } | { onClick: () => void };

function OpenLink({ open, slug, children }: { open: Opener; slug: string; children: ReactNode }) {
  const target = open(slug);
  if ("href" in target) return <Link to={target.href}>{children}</Link>;
  return (
    <button type="button" className="oc-help-link" onClick={target.onClick}>
      {children}
    </button>
  );
}

export function HelpResults({ q, lang, open }: { q: string; lang: HelpLang; open: Opener }) {
  const { t } = useTranslation();
  const { value: found, error, loading } = useLoaded<{ items: HelpHit[] }>(helpPaths.search(q, lang));
  const value = found?.items;
  return (
    <section className="oc-card" aria-labelledby="help-results">
      <h2 id="help-results">{t("help.resultsFor", { q })}</h2>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {loading ? <p role="status">{t("common.loading")}</p> : null}
      {value && value.length === 0 ? <p>{t("help.noResults")}</p> : null}
      {value && value.length > 0 ? (
        <ul className="oc-list oc-help-results">
          {value.map((hit) => (
            <li key={hit.slug}>
              <OpenLink open={open} slug={hit.slug}>
                <span className="oc-list-title">{hit.title}</span>
              </OpenLink>
              <p className="oc-weak">{hit.snippet}</p>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function HelpCategories({ lang, open }: { lang: HelpLang; open: Opener }) {
  const { t } = useTranslation();
  const { value: found, error } = useLoaded<{ items: HelpCategory[] }>(helpPaths.categories(lang));
  const value = found?.items;
  return (
    <section className="oc-card" aria-labelledby="help-categories">
      <h2 id="help-categories">{t("help.categories")}</h2>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <ul className="oc-list oc-help-categories">
        {(value ?? []).map((c) => (
          <li key={c.slug}>
            <OpenLink open={open} slug={c.slug}>
              {c.name}
              <span className="oc-weak"> {t("help.articleCount", { count: c.articles })}</span>
            </OpenLink>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function HelpArticleList({
  category,
  lang,
  open,
}: {
  category: string;
  lang: HelpLang;
  open: Opener;
}) {
  const { value: found, error } = useLoaded<{ items: HelpListItem[] }>(helpPaths.articles(category, lang));
  const value = found?.items;
  return (
    <>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <ul className="oc-list oc-card">
        {(value ?? []).map((a) => (
          <li key={a.slug}>
            <OpenLink open={open} slug={a.slug}>
              {a.title}
            </OpenLink>
          </li>
        ))}
      </ul>
    </>
  );
}

export function HelpFeedback({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const [sent, setSent] = useState(false);
  const [error, setError] = useState("");
  const send = async (helpful: boolean) => {
    try {
      await sendHelpFeedback(slug, helpful);
      setSent(true);
      setError("");
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <section className="oc-card oc-help-feedback" aria-labelledby="help-feedback">
      <h2 id="help-feedback">{t("help.wasItHelpful")}</h2>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {sent ? (
        <Notice tone="success">{t("help.thanks")}</Notice>
      ) : (
        <div className="oc-actions">
          <button type="button" className="oc-button" onClick={() => send(true)}>
            {t("help.helpful")}
          </button>
          <button type="button" className="oc-button oc-help-no" onClick={() => send(false)}>
            {t("help.notHelpful")}
          </button>
        </div>
      )}
    </section>
  );
}

/** The article body with a note when the English version was asked for but only Chinese exists. */
export function HelpArticleBody({ article, asked }: { article: HelpArticle; asked: HelpLang }) {
  const { t } = useTranslation();
  return (
    <article className="oc-card" lang={article.lang}>
      {asked !== article.lang ? (
        <p className="oc-weak" lang={asked}>
          {t("help.chineseOnly")}
        </p>
      ) : null}
      <HelpMarkdown source={article.body} />
    </article>
  );
}
