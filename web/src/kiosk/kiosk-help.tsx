// The kiosk's help screen: search and categories in large type, read an article, say if it helped.
// No URLs on a kiosk: screens change in place and the idle timer brings the start screen back.
import { Button } from "antd-mobile";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { Notice } from "../common/ui/notice";
import {
  type HelpArticle,
  HelpArticleBody,
  HelpArticleList,
  HelpCategories,
  HelpFeedback,
  HelpResults,
  HelpSearchForm,
  helpPaths,
  useHelpLang,
  useLoaded,
} from "../portal/pages/help-parts";

type View = { at: "home"; q: string } | { at: "category"; slug: string } | { at: "article"; slug: string };

export function KioskHelp({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const lang = useHelpLang();
  const [view, setView] = useState<View>({ at: "home", q: "" });
  const openArticle = (slug: string) => ({ onClick: () => setView({ at: "article", slug }) });

  const back = (
    <div className="kiosk-help-nav">
      {view.at !== "home" ? (
        <Button block size="large" onClick={() => setView({ at: "home", q: "" })}>
          {t("kiosk.backToHelp")}
        </Button>
      ) : null}
      <Button block size="large" onClick={onDone}>
        {t("kiosk.backToStart")}
      </Button>
    </div>
  );

  switch (view.at) {
    case "home":
      return (
        <div className="kiosk-help">
          <h1>{t("kiosk.help")}</h1>
          <p className="kiosk-lead">{t("kiosk.helpLead")}</p>
          <HelpSearchForm big initial={view.q} onSearch={(q) => setView({ at: "home", q })} />
          {view.q ? <HelpResults q={view.q} lang={lang} open={openArticle} /> : null}
          <HelpCategories
            lang={lang}
            open={(slug) => ({ onClick: () => setView({ at: "category", slug }) })}
          />
          <Notice tone="info">{t("kiosk.askStaff")}</Notice>
          {back}
        </div>
      );
    case "category":
      return (
        <div className="kiosk-help">
          <h1>{t("kiosk.helpArticles")}</h1>
          <HelpArticleList category={view.slug} lang={lang} open={openArticle} />
          {back}
        </div>
      );
    case "article":
      return <KioskArticle slug={view.slug} back={back} />;
    default: {
      const never: never = view;
      return never;
    }
  }
}

function KioskArticle({ slug, back }: { slug: string; back: ReactNode }) {
  const { t } = useTranslation();
  const lang = useHelpLang();
  const { value: article, error } = useLoaded<HelpArticle>(helpPaths.article(slug, lang));
  return (
    <div className="kiosk-help">
      <h1>{article?.title ?? t("kiosk.help")}</h1>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {article ? (
        <>
          <HelpArticleBody article={article} asked={lang} />
          <HelpFeedback key={article.slug} slug={article.slug} />
        </>
      ) : null}
      {back}
    </div>
  );
}
