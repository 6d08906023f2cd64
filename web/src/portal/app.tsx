// Routes of the customer portal. Signed-in pages send a visitor to log in first and come back after.
import { SpinLoading } from "antd-mobile";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { Page } from "./layout";
import { ChatPage } from "./pages/chat/chat";
import { ForgotPasswordPage } from "./pages/forgot-password";
import { HelpPage } from "./pages/help";
import { HomePage } from "./pages/home";
import { LoginPage } from "./pages/login";
import { NotificationsPage } from "./pages/notifications";
import { ProfilePage } from "./pages/profile";
import { RegisterPage } from "./pages/register";
import { ReportLostPage } from "./pages/report-lost";
import { BankCardsPage } from "./pages/security/bank-cards";
import { ChangePasswordPage } from "./pages/security/change-password";
import { DevicesPage } from "./pages/security/devices";
import { EmailPage } from "./pages/security/email";
import { FreezePage } from "./pages/security/freeze";
import { LoginHistoryPage } from "./pages/security/login-history";
import { PaymentPasswordPage } from "./pages/security/payment-password";
import { PhonePage } from "./pages/security/phone";
import { SecurityPage } from "./pages/security/security-home";
import { TwoStepPage } from "./pages/security/two-step";
import { SettingsPage } from "./pages/settings";
import { UnfreezePage } from "./pages/unfreeze";
import { HistoryPage } from "./pages/wallet/history";
import { LimitsPage } from "./pages/wallet/limits";
import { PayPage } from "./pages/wallet/pay";
import { TopupPage, TopupResultPage } from "./pages/wallet/topup";
import { TransactionDetailPage } from "./pages/wallet/transaction-detail";
import { TransferPage } from "./pages/wallet/transfer";
import { WalletHomePage } from "./pages/wallet/wallet-home";
import { WithdrawalsPage, WithdrawPage } from "./pages/wallet/withdraw";
import { SessionProvider, useSession } from "./session";

function Loading() {
  const { t } = useTranslation();
  return (
    <Page title={t("app.name")}>
      <div role="status" className="oc-actions">
        <SpinLoading aria-hidden="true" />
        {t("common.loading")}
      </div>
    </Page>
  );
}

function SignedIn({ children }: { children: ReactNode }) {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

function SignedOut({ children }: { children: ReactNode }) {
  const { me, loading } = useSession();
  if (loading) return <Loading />;
  if (me) return <Navigate to="/" replace />;
  return <>{children}</>;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <Page title={t("common.notFound")} back="/">
      <p>{t("common.notFoundText")}</p>
    </Page>
  );
}

export function PortalApp() {
  const inside = (page: ReactNode) => <SignedIn>{page}</SignedIn>;
  const outside = (page: ReactNode) => <SignedOut>{page}</SignedOut>;
  return (
    <BrowserRouter basename="/">
      <SessionProvider>
        <Routes>
          <Route path="/login" element={outside(<LoginPage />)} />
          <Route path="/register" element={outside(<RegisterPage />)} />
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/unfreeze" element={<UnfreezePage />} />
          <Route path="/report-lost" element={<ReportLostPage />} />
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="/help/*" element={<HelpPage />} />
          <Route path="/chat" element={inside(<ChatPage />)} />
          <Route path="/" element={inside(<HomePage />)} />
          <Route path="/me" element={inside(<ProfilePage />)} />
          <Route path="/notifications" element={inside(<NotificationsPage />)} />
          <Route path="/security" element={inside(<SecurityPage />)} />
          <Route path="/security/password" element={inside(<ChangePasswordPage />)} />
          <Route path="/security/payment-password" element={inside(<PaymentPasswordPage />)} />
          <Route path="/security/two-step" element={inside(<TwoStepPage />)} />
          <Route path="/security/devices" element={inside(<DevicesPage />)} />
          <Route path="/security/login-history" element={inside(<LoginHistoryPage />)} />
          <Route path="/security/email" element={inside(<EmailPage />)} />
          <Route path="/security/phone" element={inside(<PhonePage />)} />
          <Route path="/security/bank-cards" element={inside(<BankCardsPage />)} />
          <Route path="/security/freeze" element={inside(<FreezePage />)} />
          <Route path="/wallet" element={inside(<WalletHomePage />)} />
          <Route path="/wallet/history" element={inside(<HistoryPage />)} />
          <Route path="/wallet/history/:id" element={inside(<TransactionDetailPage />)} />
          <Route path="/wallet/topup" element={inside(<TopupPage />)} />
          <Route path="/wallet/topup/:id" element={inside(<TopupResultPage />)} />
          <Route path="/wallet/transfer" element={inside(<TransferPage />)} />
          <Route path="/wallet/withdraw" element={inside(<WithdrawPage />)} />
          <Route path="/wallet/withdrawals" element={inside(<WithdrawalsPage />)} />
          <Route path="/wallet/pay" element={inside(<PayPage />)} />
          <Route path="/wallet/limits" element={inside(<LimitsPage />)} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </SessionProvider>
    </BrowserRouter>
  );
}
