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

/** A table caption that reads like a small heading above the table. */
export function TableCaption({ children }: { children: string }) {
  return <div style={{ textAlign: "start", fontWeight: 600, padding: "8px 0" }}>{children}</div>;
}
