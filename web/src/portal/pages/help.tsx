// The portal's help centre: search and categories at /help, a category's articles, and an article.
import { useTranslation } from "react-i18next";
import { Route, Routes, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { Notice } from "../../common/ui/notice";
import { Page } from "../layout";
import { ChatEntry } from "./chat/chat-entry";
import {
  type HelpArticle,
  HelpArticleBody,
  HelpArticleList,
  HelpCategories,
  type HelpCategory,
  HelpFeedback,
  HelpResults,
  HelpSearchForm,
  helpPaths,
  useHelpLang,
  useLoaded,
} from "./help-parts";

export function HelpPage() {
  return (
    <Routes>
      <Route index element={<HelpHome />} />
      <Route path="category/:category" element={<HelpCategoryPage />} />
      <Route path=":slug" element={<HelpArticlePage />} />
    </Routes>
  );
}

const toArticle = (slug: string) => ({ href: `/help/${slug}` });

function HelpHome() {
  const { t } = useTranslation();
  const lang = useHelpLang();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const q = params.get("q") ?? "";
  return (
    <Page title={t("help.title")} back="/">
      <HelpSearchForm initial={q} onSearch={(next) => navigate(`/help?q=${encodeURIComponent(next)}`)} />
      {q ? <HelpResults q={q} lang={lang} open={toArticle} /> : null}
      <HelpCategories lang={lang} open={(slug) => ({ href: `/help/category/${slug}` })} />
      <ChatEntry />
    </Page>
  );
}

function HelpCategoryPage() {
  const { t } = useTranslation();
  const lang = useHelpLang();
  const { category = "" } = useParams();
  const { value } = useLoaded<{ items: HelpCategory[] }>(helpPaths.categories(lang));
  const name = value?.items.find((c) => c.slug === category)?.name ?? t("help.title");
  return (
    <Page title={name} back="/help">
      <HelpArticleList category={category} lang={lang} open={toArticle} />
    </Page>
  );
}

function HelpArticlePage() {
  const { t } = useTranslation();
  const lang = useHelpLang();
  const { slug = "" } = useParams();
  const { value: article, error, loading } = useLoaded<HelpArticle>(helpPaths.article(slug, lang));
  return (
    <Page
      title={article?.title ?? (loading ? t("common.loading") : t("help.notFound"))}
      back={article ? `/help/category/${article.category}` : "/help"}
    >
      {error ? <Notice tone="error">{error}</Notice> : null}
      {article ? (
        <>
          <HelpArticleBody article={article} asked={lang} />
          <HelpFeedback key={article.slug} slug={article.slug} />
        </>
      ) : null}
    </Page>
  );
}
