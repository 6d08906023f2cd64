import { Button, Dialog } from "antd-mobile";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { del, post } from "../../../common/api";
import { TextField } from "../../../common/ui/fields";
import { Notice } from "../../../common/ui/notice";
import { useList } from "../../../common/ui/use-list";
import { useSubmit } from "../../../common/ui/use-submit";
import { Page, Section } from "../../layout";
import type { BankCard } from "../../types";

export function BankCardsPage() {
  const { t } = useTranslation();
  const cards = useList<BankCard>("/api/v1/me/bank-cards");
  const [cardNumber, setCardNumber] = useState("");
  const [holder, setHolder] = useState("");
  const [bank, setBank] = useState("");
  const [notice, setNotice] = useState("");
  const submit = useSubmit();

  function bind(e: FormEvent) {
    e.preventDefault();
    setNotice("");
    void submit.run(async () => {
      const card = await post<{ id: string; masked: string }>("/api/v1/me/bank-cards", {
        cardNumber: cardNumber.replace(/\s/g, ""),
        holderName: holder.trim(),
        ...(bank.trim() ? { bankName: bank.trim() } : {}),
      });
      setNotice(t("cards.bound", { masked: card.masked }));
      setCardNumber("");
      setHolder("");
      setBank("");
      await cards.reload();
    });
  }

  async function unbind(card: BankCard) {
    const sure = await Dialog.confirm({
      content: t("cards.confirmUnbind", { masked: card.masked }),
      confirmText: t("cards.unbind"),
      cancelText: t("common.cancel"),
    });
    if (!sure) return;
    setNotice("");
    await submit.attempt(async () => {
      await del(`/api/v1/me/bank-cards/${encodeURIComponent(card.id)}`);
      setNotice(t("cards.unbound", { masked: card.masked }));
      await cards.reload();
    });
  }

  const error = submit.error || cards.error;
  return (
    <Page title={t("security.bankCards")} back="/security">
      {error ? <Notice tone="error">{error}</Notice> : null}
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <Section title={t("cards.mine")}>
        {cards.items.length === 0 ? <p>{t("cards.none")}</p> : null}
        <ul className="oc-list">
          {cards.items.map((c) => (
            <li key={c.id}>
              <div className="oc-list-title">
                {c.bankName ?? t("cards.unknownBank")} {c.masked}
              </div>
              <div className="oc-weak">{c.holderName}</div>
              <button type="button" className="oc-button" onClick={() => unbind(c)}>
                {t("cards.unbind")}
                <span className="oc-visually-hidden"> {c.masked}</span>
              </button>
            </li>
          ))}
        </ul>
      </Section>
      <Section title={t("cards.bindTitle")}>
        <form className="oc-form" onSubmit={bind} noValidate aria-label={t("cards.bindTitle")}>
          <TextField
            label={t("cards.number")}
            value={cardNumber}
            onChange={setCardNumber}
            inputMode="numeric"
            autoComplete="cc-number"
          />
          <TextField label={t("cards.holder")} value={holder} onChange={setHolder} autoComplete="cc-name" />
          <TextField label={t("cards.bank")} value={bank} onChange={setBank} autoComplete="off" />
          <Button type="submit" color="primary" block loading={submit.busy}>
            {t("cards.bind")}
          </Button>
        </form>
      </Section>
    </Page>
  );
}
