// The way into the chat from the help centre: when the articles did not answer it.
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";

export function ChatEntry() {
  const { t } = useTranslation();
  return (
    <section className="oc-card" aria-labelledby="oc-chat-entry">
      <h2 id="oc-chat-entry">{t("chat.title")}</h2>
      <p>{t("chat.entryHint")}</p>
      <Link className="oc-button" to="/chat">
        {t("chat.entry")}
      </Link>
    </section>
  );
}
