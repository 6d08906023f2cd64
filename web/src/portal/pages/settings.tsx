import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { get, put } from "../../common/api";
import type { Language } from "../../common/i18n";
import type { FontSize, Preferences, Theme } from "../../common/preferences";
import { errorText } from "../../common/ui/error-text";
import { ChoiceGroup, SwitchField } from "../../common/ui/fields";
import { Notice } from "../../common/ui/notice";
import { Page, Section } from "../layout";
import { useModuleLabel } from "../module-label";
import { homeModules, moduleInfo } from "../modules";
import { useSession } from "../session";

export function SettingsPage() {
  const { t } = useTranslation();
  const { me, prefs, updatePrefs } = useSession();
  const label = useModuleLabel();
  const [error, setError] = useState("");

  const change = (p: Partial<Preferences>) => {
    setError("");
    updatePrefs(p).catch((err: unknown) => setError(errorText(t, err)));
  };

  return (
    <Page title={t("settings.title")} back={me ? undefined : "/login"}>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {!me ? <p>{t("settings.localOnly")}</p> : null}
      <Section title={t("settings.display")}>
        <div className="oc-form">
          <ChoiceGroup<Language>
            legend={t("settings.language")}
            name="language"
            value={prefs.language}
            onChange={(language) => change({ language })}
            options={[
              { value: "zh-CN", label: "简体中文" },
              { value: "en", label: "English" },
            ]}
          />
          <ChoiceGroup<Theme>
            legend={t("settings.theme")}
            name="theme"
            value={prefs.theme}
            onChange={(theme) => change({ theme })}
            options={[
              { value: "light", label: t("settings.themeLight") },
              { value: "dark", label: t("settings.themeDark") },
              { value: "high-contrast", label: t("settings.themeContrast") },
            ]}
          />
          <ChoiceGroup<FontSize>
            legend={t("settings.fontSize")}
            name="fontSize"
            value={prefs.fontSize}
            onChange={(fontSize) => change({ fontSize })}
            options={[
              { value: "standard", label: t("settings.fontStandard") },
              { value: "large", label: t("settings.fontLarge") },
              { value: "extra-large", label: t("settings.fontExtraLarge") },
            ]}
          />
          <SwitchField
            label={t("settings.elderMode")}
            checked={prefs.elderMode}
            onChange={(elderMode) => change({ elderMode })}
            description={t("settings.elderModeHint")}
          />
        </div>
      </Section>
      {me ? (
        <Section title={t("settings.homeModules")}>
          <fieldset className="oc-fieldset">
            <legend>{t("settings.homeModulesLegend")}</legend>
            {homeModules.map((m) => (
              <label key={m} className="oc-choice">
                <input
                  type="checkbox"
                  className="oc-choice-input"
                  checked={prefs.homeModules.includes(m)}
                  onChange={(e) =>
                    change({
                      homeModules: e.target.checked
                        ? homeModules.filter((x) => x === m || prefs.homeModules.includes(x))
                        : prefs.homeModules.filter((x) => x !== m),
                    })
                  }
                />
                <span>
                  {label(m)}
                  {moduleInfo(m).path ? "" : ` (${t("home.comingSoon")})`}
                </span>
              </label>
            ))}
          </fieldset>
        </Section>
      ) : null}
      {me?.kind === "customer" ? <SubscriptionsSection /> : null}
    </Page>
  );
}

// SMS and email per kind of notice (GET/PUT /api/v1/me/notification-subscriptions). The in-app
// inbox always gets every notice; security SMS cannot be switched off.
const topics = ["balance", "withdrawal", "security", "support"] as const;
type Topic = (typeof topics)[number];
type Channel = "sms" | "email";
type Subscriptions = Record<Topic, Record<Channel, boolean>>;

function SubscriptionsSection() {
  const { t } = useTranslation();
  const [subs, setSubs] = useState<Subscriptions | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    get<Subscriptions>("/api/v1/me/notification-subscriptions")
      .then(setSubs)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [t]);

  const change = (topic: Topic, channel: Channel, on: boolean) => {
    setError("");
    const before = subs;
    // Shown at once; the server's answer (or the old state, on failure) replaces it.
    setSubs((s) => (s ? { ...s, [topic]: { ...s[topic], [channel]: on } } : s));
    put<Subscriptions>("/api/v1/me/notification-subscriptions", { [topic]: { [channel]: on } })
      .then(setSubs)
      .catch((err: unknown) => {
        setSubs(before);
        setError(errorText(t, err));
      });
  };

  return (
    <Section title={t("settings.notifications")}>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <p>{t("settings.notificationsHint")}</p>
      {subs
        ? topics.map((topic) => (
            <fieldset key={topic} className="oc-fieldset">
              <legend>{t(`settings.topic.${topic}`)}</legend>
              {(["sms", "email"] as const).map((channel) => {
                const fixed = topic === "security" && channel === "sms";
                return (
                  <label key={channel} className="oc-choice">
                    <input
                      type="checkbox"
                      className="oc-choice-input"
                      name={`${topic}-${channel}`}
                      checked={subs[topic][channel]}
                      disabled={fixed}
                      onChange={(e) => change(topic, channel, e.target.checked)}
                    />
                    <span>
                      {t(`settings.channel.${channel}`)}
                      {fixed ? ` (${t("settings.securitySmsFixed")})` : ""}
                    </span>
                  </label>
                );
              })}
            </fieldset>
          ))
        : null}
    </Section>
  );
}
