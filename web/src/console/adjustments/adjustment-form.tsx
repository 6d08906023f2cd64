// Propose a manual adjustment of a customer account. It waits in the review queue until another
// member of staff who may adjust the ledger approves it; only then does money move.
import { Alert, Button, Card, Form, Input, InputNumber, Radio } from "antd";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { api } from "../../common/api";
import { useErrorText } from "../use-error-text";

type Values = { direction: "credit" | "debit"; amount: number; reason: string };

const REASON_MIN = 10;

export function AdjustmentForm({ accountId, currency }: { accountId: string; currency: string }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [form] = Form.useForm<Values>();
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [proposed, setProposed] = useState<string | null>(null);
  // One key per proposal: a retry after a lost answer replays instead of queueing a second one.
  const key = useRef(crypto.randomUUID());

  const submit = async (v: Values) => {
    setSending(true);
    setError(null);
    try {
      const res = await api<{ id: string }>(
        "POST",
        "/api/v1/console/ledger/adjustments",
        {
          accountId,
          currency,
          direction: v.direction,
          amount: Math.round(v.amount * 100),
          reason: v.reason.trim(),
        },
        { headers: { "idempotency-key": key.current } },
      );
      setProposed(res.id);
      key.current = crypto.randomUUID();
      form.resetFields();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("adjustments.title")}</h2>}
      style={{ marginTop: 24 }}
    >
      <p>{t("adjustments.hint")}</p>
      {proposed && (
        <Alert
          type="success"
          showIcon
          role="status"
          style={{ marginBottom: 16 }}
          title={t("adjustments.proposed")}
          description={<Link to="/reviews">{t("adjustments.toQueue")}</Link>}
        />
      )}
      {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ direction: "credit" }}
        onFinish={(v) => void submit(v)}
        style={{ maxWidth: 480 }}
      >
        <Form.Item label={t("adjustments.direction")} name="direction" rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: "credit", label: t("adjustments.credit") },
              { value: "debit", label: t("adjustments.debit") },
            ]}
          />
        </Form.Item>
        <Form.Item
          label={t("adjustments.amount", { currency })}
          name="amount"
          rules={[{ required: true, message: t("adjustments.amountRequired") }]}
        >
          <InputNumber<number>
            min={0.01}
            max={90_000_000_000}
            step={0.01}
            precision={2}
            style={{ width: 200 }}
          />
        </Form.Item>
        <Form.Item
          label={t("adjustments.reason")}
          name="reason"
          rules={[
            { required: true, whitespace: true, message: t("adjustments.reasonRequired") },
            { min: REASON_MIN, message: t("adjustments.reasonTooShort") },
          ]}
        >
          <Input.TextArea rows={3} maxLength={200} showCount />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={sending}>
          {t("adjustments.submit")}
        </Button>
      </Form>
    </Card>
  );
}
