import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../../common/api";
import { useSubmit } from "../../../common/ui/use-submit";
import { DestinationWithCode } from "../../destination-code";
import { FormEnd } from "../../form-end";
import { Page } from "../../layout";
import { useSession } from "../../session";

export function EmailPage() {
  const { t } = useTranslation();
  const { me, refresh } = useSession();
  const [email, setEmail] = useState("");
  const [otp, setOtp] = useState("");
  const submit = useSubmit();

  function save(e: FormEvent) {
    e.preventDefault();
    void submit.run(async () => {
      await post("/api/v1/me/email", { email: email.trim(), otp: otp.trim() });
      setEmail("");
      setOtp("");
      await refresh();
    });
  }

  return (
    <Page title={t("security.email")} back="/security">
      <p>{me?.email ? t("email.current", { email: me.email }) : t("email.none")}</p>
      <form className="oc-form" onSubmit={save} noValidate aria-label={t("security.email")}>
        <DestinationWithCode
          channel="email"
          purpose="verify_email"
          to={email}
          onTo={setEmail}
          toLabel={t("email.new")}
          canSend={(value) => value.includes("@")}
          otp={otp}
          onOtp={setOtp}
          otpLabel={t("email.code")}
          onError={submit.onError}
        />
        <FormEnd submit={submit} label={t("email.submit")} success={t("email.saved")} />
      </form>
    </Page>
  );
}
