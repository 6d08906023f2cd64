// One help article in the editor: Chinese and English tabs, each a title and a Markdown body beside
// a live preview drawn by the portal's own renderer (so what the editor sees is what readers get,
// and no markup in the text can run), saving a draft, publishing and taking it back. A save names
// the version it started from; when a colleague saved first, the server refuses and we say so.
import { Alert, Button, Descriptions, Form, Input, Select, Space, Tabs } from "antd";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router-dom";
import { ApiError, get, post, put } from "../../common/api";
import { HelpMarkdown } from "../../portal/pages/help-markdown";
import { formatTime } from "../labels";
import { PageTitle } from "../page-title";
import { useErrorText } from "../use-error-text";
import { ARTICLE_SLUG, categoryName, type HelpArticle, type HelpCategory, MAX_BODY } from "./help-api";
import { FeedbackCounts, StatusTag } from "./help-parts";
import "./help-editor.css";

type Draft = {
  slug: string;
  category: string;
  titleZh: string;
  bodyZh: string;
  titleEn: string;
  bodyEn: string;
  keywords: string;
};

const EMPTY: Draft = {
  slug: "",
  category: "",
  titleZh: "",
  bodyZh: "",
  titleEn: "",
  bodyEn: "",
  keywords: "",
};

function draftOf(a: HelpArticle): Draft {
  return {
    slug: a.slug,
    category: a.category,
    titleZh: a.titleZh,
    bodyZh: a.bodyZh,
    titleEn: a.titleEn,
    bodyEn: a.bodyEn,
    keywords: a.keywords.join(", "),
  };
}

const keywordsOf = (text: string) =>
  text
    .split(/[,，、]/)
    .map((k) => k.trim())
    .filter((k) => k !== "");

type Notice = { kind: "success" | "error" | "conflict"; text: string };

export function HelpArticlePage() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const { id = "new" } = useParams();
  const isNew = id === "new";
  const [article, setArticle] = useState<HelpArticle | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [categories, setCategories] = useState<HelpCategory[]>([]);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const cats = (await get<{ items: HelpCategory[] }>("/api/v1/console/help/categories")).items;
      setCategories(cats);
      if (isNew) {
        setArticle(null);
        setDraft({ ...EMPTY, category: cats[0]?.slug ?? "" });
      } else {
        const a = await get<HelpArticle>(`/api/v1/console/help/articles/${encodeURIComponent(id)}`);
        setArticle(a);
        setDraft(draftOf(a));
      }
    } catch (err) {
      setLoadError(errorText(err));
    }
  }, [id, isNew, errorText]);

  useEffect(() => {
    void load();
  }, [load]);

  const dirty = useMemo(
    () => (article ? JSON.stringify(draftOf(article)) !== JSON.stringify(draft) : true),
    [article, draft],
  );

  const set = (field: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [field]: e.target.value }));

  function fail(err: unknown) {
    if (err instanceof ApiError && err.code === "edit_conflict") {
      setNotice({ kind: "conflict", text: t("help.editor.conflict") });
    } else {
      setNotice({ kind: "error", text: errorText(err) });
    }
  }

  /** Saves the form; returns the saved article, or null when the server refused. */
  async function save(): Promise<HelpArticle | null> {
    const content = {
      category: draft.category,
      titleZh: draft.titleZh,
      bodyZh: draft.bodyZh,
      titleEn: draft.titleEn,
      bodyEn: draft.bodyEn,
      keywords: keywordsOf(draft.keywords),
    };
    try {
      const saved = article
        ? await put<HelpArticle>(`/api/v1/console/help/articles/${article.id}`, {
            version: article.version,
            ...content,
          })
        : await post<HelpArticle>("/api/v1/console/help/articles", { slug: draft.slug, ...content });
      setArticle(saved);
      setDraft(draftOf(saved));
      return saved;
    } catch (err) {
      fail(err);
      return null;
    }
  }

  async function act(kind: "save" | "publish" | "unpublish") {
    setBusy(true);
    setNotice(null);
    let created: string | null = null;
    try {
      let current = article;
      if (kind !== "unpublish" && (dirty || !current)) {
        current = await save();
        if (!current) return;
        if (isNew) created = current.id;
      }
      if (!current) return;
      if (kind === "save") {
        setNotice({ kind: "success", text: t("help.editor.saved") });
        return;
      }
      const path = `/api/v1/console/help/articles/${current.id}/${kind}`;
      const changed = await post<HelpArticle>(path, { version: current.version });
      setArticle(changed);
      setNotice({
        kind: "success",
        text: kind === "publish" ? t("help.editor.publishedNotice") : t("help.editor.unpublishedNotice"),
      });
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
      // A new article moves to its own address once everything asked of it is done.
      if (created) navigate(`/help-articles/${created}`, { replace: true });
    }
  }

  const slugValid = !isNew || ARTICLE_SLUG.test(draft.slug);
  const canSave =
    slugValid && draft.titleZh.trim() !== "" && draft.bodyZh.trim() !== "" && draft.category !== "";
  const title = isNew
    ? t("help.editor.newTitle")
    : t("help.editor.editTitle", { title: article?.titleZh ?? "" });

  return (
    <>
      <PageTitle extra={<Link to="/help-articles">{t("help.editor.back")}</Link>}>{title}</PageTitle>
      {loadError && (
        <Alert type="error" showIcon title={loadError} role="alert" style={{ marginBottom: 16 }} />
      )}
      {article && (
        <Descriptions size="small" bordered column={{ xs: 1, md: 3 }} style={{ marginBottom: 16 }}>
          <Descriptions.Item label={t("help.col.status")}>
            <StatusTag status={article.status} />
          </Descriptions.Item>
          <Descriptions.Item label={t("help.editor.version")}>{article.version}</Descriptions.Item>
          <Descriptions.Item label={t("help.col.feedback")}>
            <FeedbackCounts feedback={article.feedback} />
          </Descriptions.Item>
          <Descriptions.Item label={t("help.col.updatedAt")}>
            {formatTime(article.updatedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t("help.editor.updatedBy")}>
            {article.updatedBy?.name ?? (article.source === "import" ? t("help.editor.importer") : "—")}
          </Descriptions.Item>
          <Descriptions.Item label={t("help.editor.publicPage")}>
            {article.status === "published" ? (
              <a href={`/help/${article.slug}`} target="_blank" rel="noopener noreferrer">
                {`/help/${article.slug}`}
              </a>
            ) : (
              t("help.editor.notPublic")
            )}
          </Descriptions.Item>
        </Descriptions>
      )}
      {notice?.kind === "conflict" && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          title={notice.text}
          description={t("help.editor.conflictHint")}
          action={
            <Button onClick={() => void load().then(() => setNotice(null))}>{t("help.editor.reload")}</Button>
          }
          style={{ marginBottom: 16 }}
        />
      )}
      {notice?.kind === "error" && (
        <Alert type="error" showIcon role="alert" title={notice.text} style={{ marginBottom: 16 }} />
      )}
      {notice?.kind === "success" && (
        <Alert type="success" showIcon role="status" title={notice.text} style={{ marginBottom: 16 }} />
      )}
      {(article || isNew) && !loadError && (
        <Form layout="vertical" onSubmitCapture={(e) => e.preventDefault()}>
          <Space wrap size="large" align="start">
            <Form.Item
              label={t("help.editor.slug")}
              htmlFor="help-slug"
              extra={isNew ? t("help.slugRule") : t("help.editor.slugFixed")}
              validateStatus={slugValid ? undefined : "error"}
            >
              <Input
                id="help-slug"
                style={{ width: 320 }}
                value={draft.slug}
                onChange={set("slug")}
                disabled={!isNew}
                maxLength={99}
              />
            </Form.Item>
            <Form.Item label={t("help.editor.category")} htmlFor="help-category">
              <Select
                id="help-category"
                style={{ width: 220 }}
                value={draft.category || undefined}
                onChange={(v: string) => setDraft((d) => ({ ...d, category: v }))}
                options={categories.map((c) => ({
                  value: c.slug,
                  label: categoryName(categories, c.slug, i18n.language),
                }))}
              />
            </Form.Item>
            <Form.Item
              label={t("help.editor.keywords")}
              htmlFor="help-keywords"
              extra={t("help.editor.keywordsHint")}
            >
              <Input
                id="help-keywords"
                style={{ width: 320 }}
                value={draft.keywords}
                onChange={set("keywords")}
              />
            </Form.Item>
          </Space>
          <Tabs
            items={[
              {
                key: "zh-CN",
                label: t("help.editor.tabZh"),
                forceRender: true,
                children: (
                  <LanguagePane
                    lang="zh-CN"
                    title={draft.titleZh}
                    body={draft.bodyZh}
                    onTitle={set("titleZh")}
                    onBody={set("bodyZh")}
                  />
                ),
              },
              {
                key: "en",
                label: t("help.editor.tabEn"),
                forceRender: true,
                children: (
                  <LanguagePane
                    lang="en"
                    title={draft.titleEn}
                    body={draft.bodyEn}
                    onTitle={set("titleEn")}
                    onBody={set("bodyEn")}
                  />
                ),
              },
            ]}
          />
          <Space wrap>
            <Button
              type={article?.status === "published" ? "primary" : "default"}
              disabled={!canSave || (!dirty && !isNew)}
              loading={busy}
              onClick={() => void act("save")}
            >
              {article?.status === "published" ? t("help.editor.saveAndUpdate") : t("help.editor.saveDraft")}
            </Button>
            {article?.status === "published" ? (
              <Button danger disabled={busy} onClick={() => void act("unpublish")}>
                {t("help.editor.unpublish")}
              </Button>
            ) : (
              <Button type="primary" disabled={!canSave || busy} onClick={() => void act("publish")}>
                {t("help.editor.publish")}
              </Button>
            )}
            {dirty && !isNew ? <span role="status">{t("help.editor.unsaved")}</span> : null}
          </Space>
        </Form>
      )}
    </>
  );
}

function LanguagePane({
  lang,
  title,
  body,
  onTitle,
  onBody,
}: {
  lang: "zh-CN" | "en";
  title: string;
  body: string;
  onTitle(e: { target: { value: string } }): void;
  onBody(e: { target: { value: string } }): void;
}) {
  const { t } = useTranslation();
  const ids = { title: `help-title-${lang}`, body: `help-body-${lang}`, preview: `help-preview-${lang}` };
  const zh = lang === "zh-CN";
  return (
    <div className="oc-help-editor">
      <div>
        <Form.Item
          label={zh ? t("help.editor.titleZh") : t("help.editor.titleEn")}
          htmlFor={ids.title}
          extra={zh ? undefined : t("help.editor.englishHint")}
        >
          <Input id={ids.title} lang={lang} value={title} onChange={onTitle} maxLength={200} />
        </Form.Item>
        <Form.Item
          label={zh ? t("help.editor.bodyZh") : t("help.editor.bodyEn")}
          htmlFor={ids.body}
          extra={t("help.editor.markdownHint", { max: MAX_BODY.toLocaleString() })}
        >
          <Input.TextArea
            id={ids.body}
            lang={lang}
            value={body}
            onChange={onBody}
            autoSize={{ minRows: 14, maxRows: 30 }}
            maxLength={MAX_BODY}
            showCount
            className="oc-help-source"
          />
        </Form.Item>
      </div>
      <section className="oc-help-preview" aria-labelledby={ids.preview}>
        <h2 id={ids.preview} className="oc-help-preview-title">
          {zh ? t("help.editor.previewZh") : t("help.editor.previewEn")}
        </h2>
        <div className="oc-help-preview-page" lang={lang}>
          <p className="oc-help-preview-heading">{title || t("help.editor.noTitle")}</p>
          {body.trim() ? <HelpMarkdown source={body} /> : <p>{t("help.editor.noBody")}</p>}
        </div>
      </section>
    </div>
  );
}
