// One review item: what was asked, the proof, and the decision (approve with an optional reason, reject with one).
import {
  Alert,
  Badge,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Space,
  Spin,
  Typography,
} from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, get, post } from "../../common/api";
import type { PersonRef } from "../api-types";
import { useDialogProps } from "../dialogs";
import { formatTime, reviewKindLabel, reviewStatusLabel, statusBadge, summaryValue } from "../labels";
import { useMe } from "../session";
import { useErrorText } from "../use-error-text";
import {
  ApprovalCount,
  approvalsOf,
  partlyApproved,
  type ReviewWithApprovals,
  reviewSummaryLabel,
} from "./approvals";

type Decision = "approve" | "reject";

type Proof = { kind: "image"; url: string } | { kind: "pdf"; url: string } | { kind: "other"; url: string };

function personName(p: PersonRef | null): string {
  if (!p) return "—";
  return p.name ?? p.email ?? p.id;
}

export function ReviewDrawer({
  id,
  onClose,
  onDecided,
}: {
  id: string | null;
  onClose(): void;
  onDecided(item: ReviewWithApprovals): void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [item, setItem] = useState<ReviewWithApprovals | null>(null);
  const [proof, setProof] = useState<Proof | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [decision, setDecision] = useState<Decision | null>(null);
  const { me } = useMe();
  const approvals = item ? approvalsOf(item) : null;
  const iApproved = approvals?.by.some((a) => a.id === me.id) ?? false;

  const load = useCallback(
    async (reviewId: string) => {
      setError(null);
      try {
        setItem(await get<ReviewWithApprovals>(`/api/v1/console/reviews/${encodeURIComponent(reviewId)}`));
      } catch (err) {
        setError(errorText(err));
      }
    },
    [errorText],
  );

  useEffect(() => {
    setItem(null);
    setProof(null);
    if (id) void load(id);
  }, [id, load]);

  // The proof is fetched once to learn its type: images are shown inline, PDFs open in a new tab.
  useEffect(() => {
    const proofUrl = item?.proofUrl;
    if (!proofUrl) return;
    let objectUrl: string | null = null;
    let cancelled = false;
    fetch(proofUrl, { credentials: "same-origin" })
      .then(async (res) => {
        if (!res.ok) throw new Error(String(res.status));
        const blob = await res.blob();
        if (cancelled) return;
        objectUrl = URL.createObjectURL(blob);
        if (blob.type.startsWith("image/")) setProof({ kind: "image", url: objectUrl });
        else if (blob.type === "application/pdf") setProof({ kind: "pdf", url: objectUrl });
        else setProof({ kind: "other", url: proofUrl });
      })
      .catch(() => {
        if (!cancelled) setProof({ kind: "other", url: proofUrl });
      });
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [item?.proofUrl]);

  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      size={560}
      title={item ? item.title : t("reviews.detail")}
      closable={{ "aria-label": t("common.close") }}
      // The content scrolls inside a region keyboard users can reach (axe scrollable-region-focusable):
      // a withdrawal with its approvals runs past the drawer's height, and may hold no control.
      styles={{ body: { padding: 0, overflow: "hidden", display: "flex" } }}
      footer={
        item?.status === "pending" ? (
          <Space>
            <Button type="primary" disabled={iApproved} onClick={() => setDecision("approve")}>
              {t("reviews.approve")}
            </Button>
            <Button danger onClick={() => setDecision("reject")}>
              {t("reviews.reject")}
            </Button>
          </Space>
        ) : null
      }
    >
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must take focus, or keyboard users cannot scroll it (WCAG 2.1.1; axe scrollable-region-focusable) */}
      <section className="oc-drawer-scroll" tabIndex={0} aria-label={t("reviews.detailRegion")}>
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
        {!item && !error && <Spin />}
        {item?.status === "pending" && iApproved && (
          <Alert type="info" showIcon title={t("reviews.youApproved")} style={{ marginBottom: 16 }} />
        )}
        {item && !iApproved && partlyApproved(item) && approvals && (
          <Alert
            type="warning"
            showIcon
            title={t("reviews.needsMore", { count: approvals.count, required: approvals.required })}
            style={{ marginBottom: 16 }}
          />
        )}
        {item && (
          <>
            <Descriptions column={1} bordered size="small" title={t("reviews.request")}>
              <Descriptions.Item label={t("reviews.col.kind")}>
                {reviewKindLabel(t, item.kind)}
              </Descriptions.Item>
              <Descriptions.Item label={t("reviews.col.customer")}>
                {item.subject ? `${item.subject.name ?? "—"} ${item.subject.phone ?? ""}` : "—"}
              </Descriptions.Item>
              {Object.entries(item.summary).map(([key, value]) => (
                <Descriptions.Item key={key} label={reviewSummaryLabel(t, key)}>
                  {summaryValue(t, key, value)}
                </Descriptions.Item>
              ))}
              <Descriptions.Item label={t("reviews.col.status")}>
                <Badge status={statusBadge(item.status)} text={reviewStatusLabel(t, item.status)} />
              </Descriptions.Item>
              {approvalsOf(item).required > 1 && (
                <Descriptions.Item label={t("reviews.approvalsCol")}>
                  <ApprovalCount item={item} />
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t("reviews.submittedAt")}>
                {formatTime(item.createdAt)}
              </Descriptions.Item>
              {item.status !== "pending" && (
                <>
                  <Descriptions.Item label={t("reviews.decidedBy")}>
                    {personName(item.decidedBy)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t("reviews.decidedAt")}>
                    {formatTime(item.decidedAt)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t("reviews.reason")}>{item.reason || "—"}</Descriptions.Item>
                </>
              )}
            </Descriptions>
            {approvals && approvals.required > 1 && approvals.by.length > 0 && (
              <>
                <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>
                  {t("reviews.approvalsTitle")}
                </Typography.Title>
                <ul aria-label={t("reviews.approvalsTitle")} style={{ paddingInlineStart: 20 }}>
                  {approvals.by.map((a) => (
                    <li key={a.id}>
                      {a.name ?? a.id} · {formatTime(a.at)}
                      {a.reason ? ` · ${a.reason}` : ""}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>
              {t("reviews.proof")}
            </Typography.Title>
            {!item.proofUrl && <Typography.Paragraph>{t("reviews.noProof")}</Typography.Paragraph>}
            {item.proofUrl && !proof && <Spin />}
            {proof?.kind === "image" && (
              <img
                src={proof.url}
                alt={t("reviews.proofImage")}
                style={{ maxWidth: "100%", border: "1px solid #f0f0f0", borderRadius: 6 }}
              />
            )}
            {proof && proof.kind !== "image" && (
              <a href={proof.url} target="_blank" rel="noreferrer">
                {proof.kind === "pdf" ? t("reviews.openPdf") : t("reviews.openProof")}
              </a>
            )}
          </>
        )}
      </section>
      {item && decision && (
        <DecisionDialog
          item={item}
          decision={decision}
          onCancel={() => setDecision(null)}
          onDone={(updated) => {
            setDecision(null);
            setItem((prev) => (prev ? { ...prev, ...updated } : updated));
            onDecided(updated);
          }}
          onStale={() => {
            setDecision(null);
            void load(item.id);
          }}
        />
      )}
    </Drawer>
  );
}

function DecisionDialog({
  item,
  decision,
  onCancel,
  onDone,
  onStale,
}: {
  item: ReviewWithApprovals;
  decision: Decision;
  onCancel(): void;
  onDone(item: ReviewWithApprovals): void;
  onStale(): void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [form] = Form.useForm<{ reason?: string }>();
  const dialogProps = useDialogProps();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  // One decision at a time: a second click can reach here before React has drawn the button as
  // loading, and would post the decision twice.
  const sending = useRef(false);

  async function submit(values: { reason?: string }) {
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    setError(null);
    const reason = values.reason?.trim();
    try {
      const updated = await post<ReviewWithApprovals>(
        `/api/v1/console/reviews/${encodeURIComponent(item.id)}/${decision}`,
        reason ? { reason } : {},
      );
      onDone(updated);
    } catch (err) {
      if (err instanceof ApiError && err.code === "review_already_decided") {
        setStale(true);
        setError(t("reviews.alreadyDecided"));
      } else if (err instanceof ApiError && err.code === "forbidden" && alreadyApproved(err)) {
        setStale(true);
        setError(t("reviews.alreadyApproved"));
      } else if (err instanceof ApiError && err.code === "forbidden") {
        setError(t("reviews.forbidden"));
      } else {
        setError(errorText(err));
      }
    } finally {
      sending.current = false;
      setBusy(false);
    }
  }

  return (
    <Modal
      {...dialogProps}
      open
      title={decision === "approve" ? t("reviews.confirmApprove") : t("reviews.confirmReject")}
      onCancel={stale ? onStale : onCancel}
      okText={decision === "approve" ? t("reviews.approve") : t("reviews.reject")}
      okButtonProps={{ danger: decision === "reject", loading: busy, disabled: stale }}
      cancelText={stale ? t("common.close") : t("common.cancel")}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Typography.Paragraph>{item.title}</Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
        <Form.Item
          label={decision === "approve" ? t("reviews.reasonOptional") : t("reviews.reasonRequired")}
          name="reason"
          rules={
            decision === "reject"
              ? [{ required: true, whitespace: true, message: t("reviews.reasonMissing") }]
              : []
          }
        >
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
    </Modal>
  );
}

function alreadyApproved(err: ApiError): boolean {
  return err.problem.reason === "already_approved";
}
