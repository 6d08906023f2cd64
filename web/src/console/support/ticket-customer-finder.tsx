// Finds a customer by phone number, email or customer id for a ticket (the caller of a logged
// call, the sender of an email); the results are masked and every lookup is audited.
import { Alert, Button, Input, Radio, Space } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../common/api";
import type { CustomerMatch } from "../api-types";
import { accountStatusLabel } from "../labels";
import { useErrorText } from "../use-error-text";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function CustomerFinder({
  value,
  onChange,
}: {
  value: string | null;
  onChange: (customerId: string | null) => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [lookup, setLookup] = useState("");
  const [matches, setMatches] = useState<CustomerMatch[] | null>(null);
  const [looking, setLooking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const find = async () => {
    const q = lookup.trim();
    if (!q) return;
    setLooking(true);
    setError(null);
    try {
      const found = UUID.test(q)
        ? [await get<CustomerMatch>(`/api/v1/console/customers/${encodeURIComponent(q)}`)]
        : (await get<{ items: CustomerMatch[] }>(`/api/v1/console/customers?${new URLSearchParams({ q })}`))
            .items;
      setMatches(found);
      onChange(found.length === 1 ? (found[0]?.id ?? null) : null);
    } catch (err) {
      setMatches([]);
      onChange(null);
      setError(errorText(err));
    } finally {
      setLooking(false);
    }
  };

  return (
    <div style={{ marginBottom: 12 }}>
      <Space.Compact style={{ width: "100%", marginBottom: 8 }}>
        <Input
          aria-label={t("tickets.finder.lookup")}
          placeholder={t("tickets.finder.placeholder")}
          value={lookup}
          onChange={(e) => setLookup(e.target.value)}
          onPressEnter={(e) => {
            e.preventDefault();
            void find();
          }}
        />
        <Button onClick={() => void find()} loading={looking}>
          {t("tickets.finder.find")}
        </Button>
      </Space.Compact>
      {matches && matches.length === 0 && !error ? (
        <Alert type="warning" showIcon role="status" title={t("tickets.finder.noMatch")} />
      ) : null}
      {error ? <Alert type="error" showIcon role="alert" title={error} /> : null}
      {matches && matches.length > 0 ? (
        <Radio.Group
          aria-label={t("tickets.finder.matches")}
          value={value}
          onChange={(e) => onChange(e.target.value as string)}
          style={{ display: "flex", flexDirection: "column", gap: 4 }}
          options={matches.map((m) => ({
            value: m.id,
            label: `${m.name ?? "—"} · ${m.phone ?? m.email ?? m.id.slice(0, 8)} · ${accountStatusLabel(t, m.status)}`,
          }))}
        />
      ) : null}
    </div>
  );
}
