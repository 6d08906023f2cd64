// The frame around every signed-in screen: side menu by permission, user menu with language and logout.
import { Button, Dropdown, Layout, Menu, type MenuProps, Typography } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router-dom";
import { useLanguage } from "../language";
import type { ConsolePermission } from "../permissions";
import { useMe, useSession } from "../session";

export type ConsoleSection = { path: string; permission: ConsolePermission; label: string };

export function useSections(): ConsoleSection[] {
  const { t } = useTranslation();
  const { permissions } = useMe();
  const all: ConsoleSection[] = [
    { path: "/reviews", permission: "reviews:read", label: t("nav.reviews") },
    { path: "/customers", permission: "customers:read", label: t("nav.customers") },
    { path: "/ledger", permission: "ledger:read", label: t("nav.ledger") },
    { path: "/audit", permission: "audit:read", label: t("nav.audit") },
    { path: "/staff", permission: "staff:manage", label: t("nav.staff") },
    { path: "/reconciliation", permission: "reconciliation:manage", label: t("nav.reconciliation") },
    { path: "/support/chat", permission: "support:handle", label: t("support.nav") },
    { path: "/support/tickets", permission: "support:handle", label: t("nav.tickets") },
    { path: "/support/reports", permission: "support:handle", label: t("nav.supportReports") },
    { path: "/help-articles", permission: "help:manage", label: t("nav.helpArticles") },
  ];
  return all.filter((s) => permissions.has(s.permission));
}

export function ConsoleLayout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { me } = useMe();
  const { logout } = useSession();
  const { language, switchTo } = useLanguage();
  const navigate = useNavigate();
  const location = useLocation();
  const sections = useSections();
  const selected = sections.find((s) => location.pathname.startsWith(s.path))?.path;

  const userMenu: MenuProps["items"] = [
    {
      key: "language",
      label: language === "en" ? "中文" : "English",
      onClick: () => switchTo(language === "en" ? "zh-CN" : "en"),
    },
    { type: "divider" },
    {
      key: "logout",
      label: t("nav.logout"),
      onClick: () => {
        void logout().then(() => navigate("/"));
      },
    },
  ];

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Sider
        theme="light"
        width={208}
        breakpoint="lg"
        collapsedWidth={0}
        style={{ borderRight: "1px solid #f0f0f0" }}
      >
        <div style={{ padding: "16px 24px", fontWeight: 600, fontSize: 16 }}>{t("app.consoleTitle")}</div>
        <nav aria-label={t("nav.label")}>
          <Menu
            mode="inline"
            selectedKeys={selected ? [selected] : []}
            items={sections.map((s) => ({ key: s.path, label: s.label }))}
            onClick={({ key }) => navigate(key)}
            style={{ borderInlineEnd: "none" }}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: "#fff",
            borderBottom: "1px solid #f0f0f0",
            display: "flex",
            justifyContent: "flex-end",
            alignItems: "center",
            padding: "0 24px",
          }}
        >
          <Dropdown menu={{ items: userMenu }} trigger={["click"]}>
            <Button type="text" title={t("nav.userMenu")}>
              <Typography.Text>{me.name ?? me.email ?? t("nav.me")} ▾</Typography.Text>
            </Button>
          </Dropdown>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>{children}</Layout.Content>
      </Layout>
    </Layout>
  );
}
