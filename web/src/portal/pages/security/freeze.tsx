import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import { post } from "../../../common/api";
import { Notice } from "../../../common/ui/notice";
import { useSubmit } from "../../../common/ui/use-submit";
import { freezeAfterConfirming } from "../../confirm-freeze";
import { CurrentPasswordField } from "../../current-password-field";
import { FormEnd } from "../../form-end";
import { Page } from "../../layout";
import { useSession } from "../../session";

export function FreezePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { forget } = useSession();
  const [password, setPassword] = useState("");
  const submit = useSubmit();

  async function freeze(e: FormEvent) {
    e.preventDefault();
    await freezeAfterConfirming(t, submit, async () => {
      await post("/api/v1/me/freeze", { password });
      forget();
      navigate("/login", { replace: true, state: { notice: "frozen" } });
    });
  }

  return (
    <Page title={t("security.freeze")} back="/security">
      <Notice tone="warning">{t("freeze.warning")}</Notice>
      <form className="oc-form" onSubmit={freeze} noValidate aria-label={t("security.freeze")}>
        <CurrentPasswordField value={password} onChange={setPassword} />
        <FormEnd submit={submit} label={t("freeze.button")} color="danger" size="large" />
      </form>
    </Page>
  );
}
