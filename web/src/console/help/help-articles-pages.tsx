// The help-centre editor: every article in any state, with filters, title search and feedback
// counts, and the categories. The editor of one article is in help-article-editor.tsx.
import { Alert, Button, Form, Input, Select, Space, Table, type TableColumnsType } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { get } from "../../common/api";
import { CursorPager, useCursorPages } from "../cursor-pages";
import { formatTime } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { useErrorText } from "../use-error-text";
import { categoryName, type HelpArticleListItem, type HelpCategory, type HelpStatus } from "./help-api";
import { HelpCategoriesDialog } from "./help-categories-dialog";
import { EmptyText, FeedbackCounts, StatusTag } from "./help-parts";

export { HelpArticlePage } from "./help-article-editor";

type Filters = { q?: string; category?: string; status?: HelpStatus | ""; lang?: "en" | "zh-only" | "" };
type Page = { items: HelpArticleListItem[]; nextCursor: string | null };

export function HelpArticlesPage() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<Filters>({});
  const [draftFilters, setDraftFilters] = useState<Filters>({});
  const pages = useCursorPages();
  const [page, setPage] = useState<Page | null>(null);
  const [categories, setCategories] = useState<HelpCategory[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [managing, setManaging] = useState(false);
  const cursor = pages.cursor;

  const loadCategories = useCallback(async () => {
    try {
      setCategories((await get<{ items: HelpCategory[] }>("/api/v1/console/help/categories")).items);
    } catch (err) {
      setError(errorText(err));
    }
  }, [errorText]);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const q = new URLSearchParams({ limit: "50" });
      for (const [k, v] of Object.entries(filters)) if (typeof v === "string" && v.trim()) q.set(k, v.trim());
      if (cursor) q.set("cursor", cursor);
      setPage(await get<Page>(`/api/v1/console/help/articles?${q}`));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, [filters, cursor, errorText]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    void loadCategories();
  }, [loadCategories]);

  const columns: TableColumnsType<HelpArticleListItem> = [
    {
      title: t("help.col.title"),
      key: "title",
      render: (_, a) => (
        <>
          <Link to={`/help-articles/${a.id}`} lang="zh-CN">
            {a.titleZh}
          </Link>
          {a.titleEn ? (
            <div lang="en" style={{ color: "rgba(0, 0, 0, 0.72)" }}>
              {a.titleEn}
            </div>
          ) : null}
        </>
      ),
    },
    { title: t("help.col.slug"), dataIndex: "slug", render: (v: string) => <code>{v}</code> },
    {
      title: t("help.col.category"),
      dataIndex: "category",
      render: (v: string) => categoryName(categories, v, i18n.language),
    },
    {
      title: t("help.col.status"),
      dataIndex: "status",
      render: (v: HelpStatus) => <StatusTag status={v} />,
    },
    {
      title: t("help.col.english"),
      dataIndex: "hasEnglish",
      render: (v: boolean) => (v ? t("help.english.yes") : t("help.english.no")),
    },
    {
      title: t("help.col.feedback"),
      key: "feedback",
      render: (_, a) => <FeedbackCounts feedback={a.feedback} />,
    },
    { title: t("help.col.updatedAt"), dataIndex: "updatedAt", render: (v: string) => formatTime(v) },
  ];

  return (
    <>
      <PageTitle
        extra={
          <Space>
            <Button onClick={() => setManaging(true)}>{t("help.manageCategories")}</Button>
            <Button type="primary" onClick={() => navigate("/help-articles/new")}>
              {t("help.newArticle")}
            </Button>
          </Space>
        }
      >
        {t("help.title")}
      </PageTitle>
      <p>{t("help.intro")}</p>
      <Form
        layout="inline"
        style={{ marginBottom: 16, rowGap: 8 }}
        aria-label={t("help.filters")}
        onFinish={() => {
          setFilters(draftFilters);
          pages.reset();
        }}
      >
        <Form.Item label={t("help.filter.q")} htmlFor="help-filter-q">
          <Input
            id="help-filter-q"
            allowClear
            style={{ width: 200 }}
            value={draftFilters.q ?? ""}
            onChange={(e) => setDraftFilters((f) => ({ ...f, q: e.target.value }))}
          />
        </Form.Item>
        <Form.Item label={t("help.filter.category")} htmlFor="help-filter-category">
          <Select
            id="help-filter-category"
            style={{ width: 170 }}
            value={draftFilters.category ?? ""}
            onChange={(v: string) => setDraftFilters((f) => ({ ...f, category: v }))}
            options={[
              { value: "", label: t("help.filter.all") },
              ...categories.map((c) => ({
                value: c.slug,
                label: categoryName(categories, c.slug, i18n.language),
              })),
            ]}
          />
        </Form.Item>
        <Form.Item label={t("help.filter.status")} htmlFor="help-filter-status">
          <Select
            id="help-filter-status"
            style={{ width: 120 }}
            value={draftFilters.status ?? ""}
            onChange={(v: HelpStatus | "") => setDraftFilters((f) => ({ ...f, status: v }))}
            options={[
              { value: "", label: t("help.filter.all") },
              { value: "draft", label: t("help.status.draft") },
              { value: "published", label: t("help.status.published") },
            ]}
          />
        </Form.Item>
        <Form.Item label={t("help.filter.lang")} htmlFor="help-filter-lang">
          <Select
            id="help-filter-lang"
            style={{ width: 170 }}
            value={draftFilters.lang ?? ""}
            onChange={(v: "en" | "zh-only" | "") => setDraftFilters((f) => ({ ...f, lang: v }))}
            options={[
              { value: "", label: t("help.filter.all") },
              { value: "en", label: t("help.filter.hasEnglish") },
              { value: "zh-only", label: t("help.filter.zhOnly") },
            ]}
          />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit">
            {t("help.filter.apply")}
          </Button>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Table<HelpArticleListItem>
        rowKey="id"
        columns={columns}
        dataSource={page?.items ?? []}
        loading={loading}
        pagination={false}
        size="small"
        caption={<TableCaption>{t("help.tableCaption")}</TableCaption>}
        locale={{ emptyText: <EmptyText>{t("help.noArticles")}</EmptyText> }}
      />
      <CursorPager pages={pages} nextCursor={page?.nextCursor} />
      {managing && (
        <HelpCategoriesDialog
          categories={categories}
          onChanged={setCategories}
          onClose={() => {
            setManaging(false);
            void load();
          }}
        />
      )}
    </>
  );
}
