// "Log a phone call": find the caller (by phone or customer id; the lookup is masked and audited),
// write the subject and the call note, and take the suggested category or choose another.
import { Alert, Button, Form, Input, Modal, Select, Space, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../common/api";
import { useDialogProps } from "../dialogs";
import { useErrorText } from "../use-error-text";
import { CustomerFinder } from "./ticket-customer-finder";
import {
  categoryLabel,
  priorityLabel,
  type Ticket,
  type TicketCategory,
  type TicketPriority,
  ticketCategories,
} from "./ticket-parts";

type Suggestion = { category: TicketCategory; priority: TicketPriority; matched: string[] };
type CallForm = {
  subject: string;
  body: string;
  category?: TicketCategory;
  requesterName?: string;
  requesterEmail?: string;
};

const SUGGEST_AFTER_MS = 400;

export function LogCallModal({
  open,
  onClose,
  onLogged,
}: {
  open: boolean;
  onClose: () => void;
  onLogged: (ticket: Ticket, joined: boolean) => void;
}) {
  const { t } = useTranslation();
  const dialogProps = useDialogProps();
  const errorText = useErrorText();
  const [form] = Form.useForm<CallForm>();
  const [customerId, setCustomerId] = useState<string | null>(null);
  // A new finder (empty) each time the form is reset.
  const [finderKey, setFinderKey] = useState(0);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [suggestion, setSuggestion] = useState<Suggestion | null>(null);
  // Once the agent picks a category, the suggestion stops overwriting it.
  const chosenByHand = useRef(false);
  const subject = Form.useWatch("subject", form);
  const body = Form.useWatch("body", form);

  useEffect(() => {
    if (!open) return;
    const text = [subject, body].filter(Boolean).join("\n").trim();
    if (!text) {
      setSuggestion(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      post<Suggestion>("/api/v1/console/support/tickets/category-suggestion", { text })
        .then((s) => {
          if (cancelled) return;
          setSuggestion(s);
          if (!chosenByHand.current) form.setFieldValue("category", s.category);
        })
        .catch(() => {
          // A suggestion is a convenience: without it the agent chooses.
        });
    }, SUGGEST_AFTER_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [open, subject, body, form]);

  const reset = () => {
    form.resetFields();
    setFinderKey((k) => k + 1);
    setCustomerId(null);
    setSuggestion(null);
    setError(null);
    chosenByHand.current = false;
  };

  const submit = async (v: CallForm) => {
    setSaving(true);
    setError(null);
    try {
      const res = await post<{ ticket: Ticket; joined: boolean }>("/api/v1/console/support/tickets", {
        channel: "phone",
        ...(customerId ? { customerId } : {}),
        ...(!customerId && v.requesterName?.trim() ? { requesterName: v.requesterName.trim() } : {}),
        ...(!customerId && v.requesterEmail?.trim() ? { requesterEmail: v.requesterEmail.trim() } : {}),
        subject: v.subject.trim(),
        body: v.body.trim(),
        ...(v.category ? { category: v.category } : {}),
      });
      reset();
      onLogged(res.ticket, res.joined);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      {...dialogProps}
      open={open}
      title={t("tickets.logCall.title")}
      onCancel={() => {
        reset();
        onClose();
      }}
      footer={null}
      width={640}
      destroyOnHidden
    >
      <Typography.Paragraph>{t("tickets.logCall.auditNotice")}</Typography.Paragraph>
      <CustomerFinder key={finderKey} value={customerId} onChange={setCustomerId} />
      {error ? <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 12 }} /> : null}
      <Form<CallForm> form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark="optional">
        {!customerId ? (
          <>
            <Form.Item
              label={t("tickets.logCall.requesterName")}
              name="requesterName"
              extra={t("tickets.logCall.requesterNameHint")}
            >
              <Input maxLength={100} />
            </Form.Item>
            <Form.Item
              label={t("tickets.logCall.requesterEmail")}
              name="requesterEmail"
              rules={[
                { required: true, message: t("tickets.logCall.requesterEmailRequired") },
                { type: "email", message: t("tickets.logCall.requesterEmailInvalid") },
              ]}
            >
              <Input type="email" maxLength={254} />
            </Form.Item>
          </>
        ) : null}
        <Form.Item
          label={t("tickets.logCall.subject")}
          name="subject"
          rules={[{ required: true, whitespace: true, message: t("tickets.logCall.subjectRequired") }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item
          label={t("tickets.logCall.body")}
          name="body"
          rules={[{ required: true, whitespace: true, message: t("tickets.logCall.bodyRequired") }]}
          extra={t("tickets.logCall.bodyHint")}
        >
          <Input.TextArea autoSize={{ minRows: 4, maxRows: 10 }} maxLength={20000} />
        </Form.Item>
        <Form.Item
          label={t("tickets.field.category")}
          name="category"
          extra={
            suggestion ? (
              <span role="status">
                {suggestion.matched.length > 0
                  ? t("tickets.logCall.suggested", {
                      category: categoryLabel(t, suggestion.category),
                      priority: priorityLabel(t, suggestion.priority),
                      words: suggestion.matched.join("、"),
                    })
                  : t("tickets.logCall.suggestedNothing")}
              </span>
            ) : (
              t("tickets.logCall.suggestHint")
            )
          }
        >
          <Select
            allowClear
            onChange={() => {
              chosenByHand.current = true;
            }}
            options={ticketCategories.map((c) => ({ value: c, label: categoryLabel(t, c) }))}
          />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={saving}>
            {t("tickets.logCall.submit")}
          </Button>
          <Button
            onClick={() => {
              reset();
              onClose();
            }}
          >
            {t("common.cancel")}
          </Button>
        </Space>
      </Form>
    </Modal>
  );
}
