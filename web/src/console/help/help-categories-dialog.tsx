// The help categories: rename one, move one up or down in the readers' order, or add one.
import { Alert, Button, Form, Input, Modal, Space, Table, type TableColumnsType } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { post, put } from "../../common/api";
import { useDialogProps } from "../dialogs";
import { TableCaption } from "../page-title";
import { useErrorText } from "../use-error-text";
import { CATEGORY_SLUG, type HelpCategory } from "./help-api";

type Names = { nameZh: string; nameEn: string };

export function HelpCategoriesDialog({
  categories,
  onChanged,
  onClose,
}: {
  categories: HelpCategory[];
  onChanged(items: HelpCategory[]): void;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const dialogProps = useDialogProps();
  const errorText = useErrorText();
  const [names, setNames] = useState<Record<string, Names>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [form] = Form.useForm<{ slug: string; nameZh: string; nameEn: string }>();

  const namesOf = (c: HelpCategory): Names => names[c.slug] ?? { nameZh: c.nameZh, nameEn: c.nameEn };

  async function run(work: () => Promise<{ items: HelpCategory[] }>, message: string) {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      onChanged((await work()).items);
      setDone(message);
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  function move(index: number, by: -1 | 1) {
    const order = categories.map((c) => c.slug);
    const other = index + by;
    const a = order[index];
    const b = order[other];
    if (a === undefined || b === undefined) return;
    order[index] = b;
    order[other] = a;
    void run(() => put("/api/v1/console/help/category-order", { slugs: order }), t("help.categories.moved"));
  }

  const columns: TableColumnsType<HelpCategory> = [
    { title: t("help.categories.slug"), dataIndex: "slug", render: (v: string) => <code>{v}</code> },
    {
      title: t("help.categories.nameZh"),
      key: "nameZh",
      render: (_, c) => (
        <Input
          aria-label={t("help.categories.nameZhOf", { slug: c.slug })}
          value={namesOf(c).nameZh}
          maxLength={60}
          onChange={(e) => setNames((n) => ({ ...n, [c.slug]: { ...namesOf(c), nameZh: e.target.value } }))}
        />
      ),
    },
    {
      title: t("help.categories.nameEn"),
      key: "nameEn",
      render: (_, c) => (
        <Input
          aria-label={t("help.categories.nameEnOf", { slug: c.slug })}
          value={namesOf(c).nameEn}
          maxLength={60}
          onChange={(e) => setNames((n) => ({ ...n, [c.slug]: { ...namesOf(c), nameEn: e.target.value } }))}
        />
      ),
    },
    {
      title: t("help.categories.articles"),
      key: "articles",
      render: (_, c) => t("help.categories.counts", { published: c.published, all: c.articles }),
    },
    {
      title: t("help.categories.actions"),
      key: "actions",
      render: (_, c, index) => (
        <Space size="small" wrap>
          <Button
            size="small"
            disabled={busy || !names[c.slug]}
            aria-label={t("help.categories.renameOf", { slug: c.slug })}
            onClick={() =>
              void run(
                () => put(`/api/v1/console/help/categories/${encodeURIComponent(c.slug)}`, namesOf(c)),
                t("help.categories.renamed"),
              ).then((ok) => {
                if (ok) setNames(({ [c.slug]: _saved, ...rest }) => rest);
              })
            }
          >
            {t("help.categories.rename")}
          </Button>
          <Button
            size="small"
            disabled={busy || index === 0}
            aria-label={t("help.categories.upOf", { slug: c.slug })}
            onClick={() => move(index, -1)}
          >
            {t("help.categories.up")}
          </Button>
          <Button
            size="small"
            disabled={busy || index === categories.length - 1}
            aria-label={t("help.categories.downOf", { slug: c.slug })}
            onClick={() => move(index, 1)}
          >
            {t("help.categories.down")}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <Modal
      {...dialogProps}
      open
      width={900}
      title={t("help.categories.title")}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t("common.close")}</Button>}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      {done && <Alert type="success" showIcon title={done} role="status" style={{ marginBottom: 12 }} />}
      <Table<HelpCategory>
        rowKey="slug"
        columns={columns}
        dataSource={categories}
        pagination={false}
        size="small"
        caption={<TableCaption>{t("help.categories.caption")}</TableCaption>}
      />
      <Form
        form={form}
        layout="inline"
        style={{ marginTop: 16, rowGap: 8 }}
        aria-label={t("help.categories.add")}
        onFinish={(v) =>
          void run(() => post("/api/v1/console/help/categories", v), t("help.categories.added")).then(
            (ok) => ok && form.resetFields(),
          )
        }
      >
        <Form.Item
          label={t("help.categories.slug")}
          name="slug"
          rules={[{ required: true, pattern: CATEGORY_SLUG, message: t("help.slugRule") }]}
        >
          <Input style={{ width: 140 }} maxLength={63} />
        </Form.Item>
        <Form.Item
          label={t("help.categories.nameZh")}
          name="nameZh"
          rules={[{ required: true, whitespace: true, message: t("help.categories.nameRequired") }]}
        >
          <Input style={{ width: 140 }} maxLength={60} />
        </Form.Item>
        <Form.Item label={t("help.categories.nameEn")} name="nameEn" initialValue="">
          <Input style={{ width: 140 }} maxLength={60} />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit" loading={busy}>
            {t("help.categories.add")}
          </Button>
        </Form.Item>
      </Form>
    </Modal>
  );
}
