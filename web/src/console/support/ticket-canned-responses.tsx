// The desk's canned responses: add, change and delete them where they are used, beside the reply box.
import { Alert, Button, Form, Input, List, Modal, Popconfirm, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { del, post, put } from "../../common/api";
import { useDialogProps } from "../dialogs";
import { useErrorText } from "../use-error-text";
import type { CannedResponse } from "./ticket-parts";

type Draft = { title: string; body: string };

export function CannedResponsesModal({
  open,
  items,
  onClose,
  onChanged,
}: {
  open: boolean;
  items: CannedResponse[];
  onClose: () => void;
  onChanged: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const dialogProps = useDialogProps();
  const errorText = useErrorText();
  const [form] = Form.useForm<Draft>();
  const [editing, setEditing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async (v: Draft) => {
    setBusy(true);
    setError(null);
    try {
      const body = { title: v.title.trim(), body: v.body.trim() };
      if (editing) await put(`/api/v1/console/support/canned-responses/${editing}`, body);
      else await post("/api/v1/console/support/canned-responses", body);
      form.resetFields();
      setEditing(null);
      await onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string) => {
    setError(null);
    try {
      await del(`/api/v1/console/support/canned-responses/${id}`);
      if (editing === id) {
        setEditing(null);
        form.resetFields();
      }
      await onChanged();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Modal
      {...dialogProps}
      open={open}
      title={t("tickets.canned.title")}
      onCancel={onClose}
      footer={null}
      width={680}
    >
      {error ? <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 12 }} /> : null}
      <List
        size="small"
        dataSource={items}
        locale={{ emptyText: <span className="oc-support-strong">{t("tickets.reply.noCanned")}</span> }}
        renderItem={(c) => (
          <List.Item
            actions={[
              <Button
                key="edit"
                size="small"
                onClick={() => {
                  setEditing(c.id);
                  form.setFieldsValue({ title: c.title, body: c.body });
                }}
              >
                {t("tickets.canned.edit")}
              </Button>,
              <Popconfirm
                key="delete"
                title={t("tickets.canned.confirmDelete", { title: c.title })}
                okText={t("tickets.canned.delete")}
                cancelText={t("common.cancel")}
                onConfirm={() => void remove(c.id)}
              >
                <Button size="small" danger>
                  {t("tickets.canned.delete")}
                </Button>
              </Popconfirm>,
            ]}
          >
            <List.Item.Meta
              title={c.title}
              description={<span className="oc-support-strong oc-support-body">{c.body}</span>}
            />
          </List.Item>
        )}
      />
      <Typography.Title level={2} style={{ fontSize: 16, marginTop: 16 }}>
        {editing ? t("tickets.canned.editing") : t("tickets.canned.new")}
      </Typography.Title>
      <Form<Draft> form={form} layout="vertical" onFinish={(v) => void save(v)}>
        <Form.Item
          label={t("tickets.canned.name")}
          name="title"
          rules={[{ required: true, whitespace: true, message: t("tickets.canned.nameRequired") }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item
          label={t("tickets.canned.body")}
          name="body"
          extra={t("tickets.canned.placeholders")}
          rules={[{ required: true, whitespace: true, message: t("tickets.canned.bodyRequired") }]}
        >
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={5000} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t("common.save")}
          </Button>
          {editing ? (
            <Button
              onClick={() => {
                setEditing(null);
                form.resetFields();
              }}
            >
              {t("common.cancel")}
            </Button>
          ) : null}
        </Space>
      </Form>
    </Modal>
  );
}
