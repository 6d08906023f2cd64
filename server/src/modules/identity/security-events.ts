// Security notifications: in-app always, and by SMS and email to the bound phone and address.
import type { AppContext } from "../../context.js";
import type { Executor } from "../../db/database.js";

export type SecurityEvent =
  | { kind: "new_device_login"; device: string; ip: string | null }
  | { kind: "password_changed" }
  | { kind: "payment_password_changed" }
  | { kind: "totp_enabled" }
  | { kind: "totp_disabled" }
  | { kind: "email_changed"; email: string }
  | { kind: "phone_changed"; phone: string }
  | { kind: "bank_card_bound"; masked: string }
  | { kind: "bank_card_removed"; masked: string }
  | { kind: "account_frozen" }
  | { kind: "account_unfrozen" }
  | { kind: "account_locked"; minutes: number }
  | { kind: "payment_password_locked"; minutes: number }
  | { kind: "profile_change_approved"; field: ProfileField }
  | { kind: "profile_change_rejected"; field: ProfileField; reason: string | null }
  | { kind: "unfreeze_rejected"; reason: string | null };

export type ProfileField = "name" | "idNumber";

const fieldText: Record<ProfileField, string> = { name: "姓名", idNumber: "身份证号码" };

function describe(e: SecurityEvent): { title: string; body: string } {
  switch (e.kind) {
    case "new_device_login":
      return {
        title: "新设备登录",
        body: `您的账户在新设备（${e.device}，IP ${e.ip ?? "未知"}）登录。如非本人操作，请立即修改密码或冻结账户。`,
      };
    case "password_changed":
      return {
        title: "登录密码已修改",
        body: "您的登录密码已修改，其他设备已退出登录。如非本人操作，请立即冻结账户。",
      };
    case "payment_password_changed":
      return { title: "支付密码已设置", body: "您的支付密码已设置或修改。如非本人操作，请立即冻结账户。" };
    case "totp_enabled":
      return { title: "两步验证已开启", body: "您的账户已开启两步验证。" };
    case "totp_disabled":
      return { title: "两步验证已关闭", body: "您的账户已关闭两步验证。如非本人操作，请立即修改密码。" };
    case "email_changed":
      return { title: "邮箱已更换", body: `您的账户绑定邮箱已更换为 ${e.email}。` };
    case "phone_changed":
      return { title: "手机号已更换", body: `您的账户绑定手机号已更换为 ${e.phone}。` };
    case "bank_card_bound":
      return { title: "银行卡已绑定", body: `银行卡 ${e.masked} 已绑定到您的账户。` };
    case "bank_card_removed":
      return { title: "银行卡已解绑", body: `银行卡 ${e.masked} 已从您的账户解绑。` };
    case "account_frozen":
      return {
        title: "账户已冻结",
        body: "您的账户已冻结，所有登录已失效，资金操作已暂停。解冻需验证手机并经人工审核。",
      };
    case "account_unfrozen":
      return { title: "账户已解冻", body: "您的账户已解冻，可以正常使用。" };
    case "account_locked":
      return {
        title: "登录已临时锁定",
        body: `多次登录失败，账户登录已锁定 ${e.minutes} 分钟。如非本人操作，请修改密码。`,
      };
    case "payment_password_locked":
      return {
        title: "支付密码已临时锁定",
        body: `支付密码多次输入错误，已锁定 ${e.minutes} 分钟。如非本人操作，请立即冻结账户。`,
      };
    case "profile_change_approved":
      return { title: "资料修改已通过", body: `您提交的${fieldText[e.field]}修改申请已审核通过。` };
    case "profile_change_rejected":
      return {
        title: "资料修改未通过",
        body: `您提交的${fieldText[e.field]}修改申请未通过审核${e.reason ? `，原因：${e.reason}` : ""}。`,
      };
    case "unfreeze_rejected":
      return {
        title: "解冻申请未通过",
        body: `您的账户解冻申请未通过审核${e.reason ? `，原因：${e.reason}` : ""}。`,
      };
    default: {
      const never: never = e;
      return never;
    }
  }
}

export async function notifySecurityEvent(
  db: Executor,
  ctx: AppContext,
  user: { id: string; phone: string | null; email: string | null },
  event: SecurityEvent,
): Promise<void> {
  const { title, body } = describe(event);
  await ctx.notifier.notifyUser(db, user, {
    kind: `security.${event.kind}`,
    title,
    body,
    sms: true,
    email: true,
  });
}
