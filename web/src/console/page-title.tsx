import { Typography } from "antd";
import { type ReactNode, useEffect } from "react";
import { useTranslation } from "react-i18next";

/** The one h1 of a console screen; it also names the browser tab. */
export function PageTitle({ children, extra }: { children: string; extra?: ReactNode }) {
  const { t } = useTranslation();
  const appTitle = t("app.consoleTitle");
  useEffect(() => {
    document.title = `${children} · ${appTitle}`;
  }, [children, appTitle]);
  return (
    <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", marginBottom: 16 }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {children}
      </Typography.Title>
      {extra}
    </div>
  );
}

/** Text only screen readers announce, for table captions and the like. */
export const visuallyHidden = {
  position: "absolute",
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: "hidden",
  clip: "rect(0, 0, 0, 0)",
  whiteSpace: "nowrap",
  border: 0,
} as const;
