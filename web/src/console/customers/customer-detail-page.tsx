// One customer as staff may see them: masked profile, status, counts and recent logins (the read is audited).
import { Alert, Descriptions, Spin, Table, type TableColumnsType } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router-dom";
import { get } from "../../common/api";
import type { CustomerDetail, LoginRecord } from "../api-types";
import { accountStatusLabel, countLabel, formatTime } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { useErrorText } from "../use-error-text";

export function CustomerDetailPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { id = "" } = useParams();
  const [customer, setCustomer] = useState<CustomerDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setCustomer(null);
    setError(null);
    get<CustomerDetail>(`/api/v1/console/customers/${encodeURIComponent(id)}`)
      .then((c) => {
        if (!cancelled) setCustomer(c);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(errorText(err));
      });
    return () => {
      cancelled = true;
    };
  }, [id, errorText]);

  const loginColumns: TableColumnsType<LoginRecord> = [
    { title: t("customers.login.at"), dataIndex: "at", render: (v: string) => formatTime(v) },
    { title: t("customers.login.ip"), dataIndex: "ip", render: (v: string | null) => v ?? "—" },
    { title: t("customers.login.device"), dataIndex: "device", render: (v: string | null) => v ?? "—" },
    { title: t("customers.login.result"), dataIndex: "result" },
  ];

  return (
    <>
      <PageTitle extra={<Link to="/customers">{t("customers.backToSearch")}</Link>}>
        {customer?.name
          ? t("customers.detailTitleNamed", { name: customer.name })
          : t("customers.detailTitle")}
      </PageTitle>
      <Alert type="info" showIcon title={t("customers.auditNotice")} style={{ marginBottom: 16 }} />
      {error && <Alert type="error" showIcon title={error} role="alert" />}
      {!customer && !error && <Spin />}
      {customer && (
        <>
          <Descriptions bordered size="small" column={2} title={t("customers.profile")}>
            <Descriptions.Item label={t("customers.col.name")}>{customer.name ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("customers.col.status")}>
              {accountStatusLabel(t, customer.status)}
            </Descriptions.Item>
            <Descriptions.Item label={t("customers.col.phone")}>{customer.phone ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("customers.col.email")}>{customer.email ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("customers.idNumber")}>{customer.idNumber ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("customers.verificationLevel")}>
              {customer.verificationLevel ?? "—"}
            </Descriptions.Item>
            <Descriptions.Item label={t("customers.col.createdAt")}>
              {formatTime(customer.createdAt)}
            </Descriptions.Item>
            <Descriptions.Item label={t("customers.emailVerified")}>
              {customer.emailVerified ? t("customers.yes") : t("customers.no")}
            </Descriptions.Item>
            <Descriptions.Item label={t("customers.totp")}>
              {customer.totpEnabled ? t("customers.yes") : t("customers.no")}
            </Descriptions.Item>
            {customer.frozenAt && (
              <Descriptions.Item label={t("customers.frozenAt")}>
                {formatTime(customer.frozenAt)}
              </Descriptions.Item>
            )}
            {Object.entries(customer.counts).map(([key, value]) => (
              <Descriptions.Item key={key} label={countLabel(t, key)}>
                {value}
              </Descriptions.Item>
            ))}
          </Descriptions>
          <Table<LoginRecord>
            style={{ marginTop: 24 }}
            rowKey={(r) => `${r.at}-${r.ip ?? ""}-${r.result}`}
            columns={loginColumns}
            dataSource={customer.recentLogins}
            pagination={false}
            size="small"
            caption={<TableCaption>{t("customers.recentLogins")}</TableCaption>}
          />
        </>
      )}
    </>
  );
}
