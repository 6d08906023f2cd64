import { useTranslation } from "react-i18next";
import { Notice } from "../../common/ui/notice";
import { Page } from "../layout";

export function HelpPage() {
  const { t } = useTranslation();
  return (
    <Page title={t("help.title")} back="/">
      <Notice tone="info">{t("help.comingSoon")}</Notice>
    </Page>
  );
}
