// Routes of the console, behind the login gate; each screen appears only for roles that may use it.
import { Button, Result, Spin } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, Route, Routes } from "react-router-dom";
import { AuditLogPage } from "./audit/audit-log-page";
import { CustomerDetailPage } from "./customers/customer-detail-page";
import { CustomerLookupPage } from "./customers/customer-lookup-page";
import { HelpArticlePage, HelpArticlesPage } from "./help/help-articles-pages";
import { ConsoleLayout, useSections } from "./layout/console-layout";
import { LedgerAccountPage } from "./ledger/ledger-account-page";
import { LedgerAccountsPage } from "./ledger/ledger-accounts-page";
import { LedgerHoldsPage } from "./ledger/ledger-holds-page";
import { LedgerTransferPage } from "./ledger/ledger-transfer-page";
import { LoginPage } from "./login/login-page";
import { PageTitle } from "./page-title";
import type { ConsolePermission } from "./permissions";
import { ReconciliationRunPage, ReconciliationRunsPage } from "./reconciliation/reconciliation-pages";
import { ReviewQueuePage } from "./reviews/review-queue-page";
import { useMe, useSession } from "./session";
import { StaffPage } from "./staff/staff-page";
import { SupportInboxPage } from "./support/support-inbox-page";
import { SupportReportsPage } from "./support/support-reports-page";
import { TicketPage, TicketsPage } from "./support/tickets-pages";

export function ConsoleApp() {
  const { t } = useTranslation();
  const { state, logout } = useSession();
  switch (state.status) {
    case "loading":
      return (
        <main style={{ display: "flex", justifyContent: "center", paddingTop: 120 }}>
          <h1 style={{ position: "absolute", left: -10000 }}>{t("app.consoleTitle")}</h1>
          <Spin size="large" />
        </main>
      );
    case "anonymous":
      return <LoginPage enrolling={false} />;
    case "enrolling":
      return <LoginPage enrolling />;
    case "ready":
      if (state.me.kind !== "staff") {
        return (
          <main>
            <Result
              status="403"
              title={<h1 style={{ fontSize: 24 }}>{t("app.staffOnly")}</h1>}
              extra={<Button onClick={() => void logout()}>{t("nav.logout")}</Button>}
            />
          </main>
        );
      }
      return (
        <ConsoleLayout>
          <ConsoleRoutes />
        </ConsoleLayout>
      );
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

function Allowed({ permission, children }: { permission: ConsolePermission; children: ReactNode }) {
  const { t } = useTranslation();
  const { permissions } = useMe();
  if (permissions.has(permission)) return children;
  return (
    <>
      <PageTitle>{t("app.noAccessTitle")}</PageTitle>
      <Result status="403" subTitle={t("app.noAccess")} />
    </>
  );
}

function Home() {
  const { t } = useTranslation();
  const first = useSections()[0];
  if (first) return <Navigate to={first.path} replace />;
  return (
    <>
      <PageTitle>{t("app.welcome")}</PageTitle>
      <Result status="info" subTitle={t("app.nothingHere")} />
    </>
  );
}

function ConsoleRoutes() {
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route
        path="/reviews"
        element={
          <Allowed permission="reviews:read">
            <ReviewQueuePage />
          </Allowed>
        }
      />
      <Route
        path="/customers"
        element={
          <Allowed permission="customers:read">
            <CustomerLookupPage />
          </Allowed>
        }
      />
      <Route
        path="/customers/:id"
        element={
          <Allowed permission="customers:read">
            <CustomerDetailPage />
          </Allowed>
        }
      />
      <Route
        path="/audit"
        element={
          <Allowed permission="audit:read">
            <AuditLogPage />
          </Allowed>
        }
      />
      <Route
        path="/staff"
        element={
          <Allowed permission="staff:manage">
            <StaffPage />
          </Allowed>
        }
      />
      <Route
        path="/ledger"
        element={
          <Allowed permission="ledger:read">
            <LedgerAccountsPage />
          </Allowed>
        }
      />
      <Route
        path="/ledger/accounts/:id"
        element={
          <Allowed permission="ledger:read">
            <LedgerAccountPage />
          </Allowed>
        }
      />
      <Route
        path="/ledger/holds"
        element={
          <Allowed permission="ledger:read">
            <LedgerHoldsPage />
          </Allowed>
        }
      />
      <Route
        path="/ledger/transfers/:id"
        element={
          <Allowed permission="ledger:read">
            <LedgerTransferPage />
          </Allowed>
        }
      />
      <Route
        path="/reconciliation"
        element={
          <Allowed permission="reconciliation:manage">
            <ReconciliationRunsPage />
          </Allowed>
        }
      />
      <Route
        path="/reconciliation/:id"
        element={
          <Allowed permission="reconciliation:manage">
            <ReconciliationRunPage />
          </Allowed>
        }
      />
      <Route
        path="/support/chat"
        element={
          <Allowed permission="support:handle">
            <SupportInboxPage />
          </Allowed>
        }
      />
      <Route
        path="/support/tickets"
        element={
          <Allowed permission="support:handle">
            <TicketsPage />
          </Allowed>
        }
      />
      <Route
        path="/support/tickets/:id"
        element={
          <Allowed permission="support:handle">
            <TicketPage />
          </Allowed>
        }
      />
      <Route
        path="/support/reports"
        element={
          <Allowed permission="support:handle">
            <SupportReportsPage />
          </Allowed>
        }
      />
      <Route
        path="/help-articles"
        element={
          <Allowed permission="help:manage">
            <HelpArticlesPage />
          </Allowed>
        }
      />
      <Route
        path="/help-articles/:id"
        element={
          <Allowed permission="help:manage">
            <HelpArticlePage />
          </Allowed>
        }
      />
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
