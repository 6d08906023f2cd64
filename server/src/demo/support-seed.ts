// Demo support desk: a few tickets, so the console's ticket list, SLA clocks and reports show
// something on a fresh `npm start`. Only for 李四 and an outside email address — 张三 is the
// customer the browser tests call in about, and a ticket of his could absorb theirs ("one
// problem, one ticket").
import { sql } from "kysely";
import type { AppContext } from "../context.js";
import { openTicket } from "../modules/support/tickets.js";

const DEMO_SUPPORT_LOCK = 7_270_003;

/** Opens the demo tickets on a desk that has never had one; does nothing afterwards. */
export async function seedDemoSupport(ctx: AppContext): Promise<number> {
  return ctx.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${DEMO_SUPPORT_LOCK})`.execute(tx);
    const any = await tx.selectFrom("support_tickets").select("id").limit(1).executeTakeFirst();
    if (any) return 0;
    const customer = await tx
      .selectFrom("users")
      .select("id")
      .where("phone", "=", "13900139000")
      .where("kind", "=", "customer")
      .executeTakeFirst();
    const agent = await tx
      .selectFrom("users")
      .select("id")
      .where("email", "=", "agent@opencounter.local")
      .where("kind", "=", "staff")
      .executeTakeFirst();
    let opened = 0;
    if (customer) {
      await openTicket(ctx, tx, {
        channel: "chat",
        customerId: customer.id,
        subject: "转账显示成功，对方说没收到",
        body: "昨天晚上给朋友转了 200 元，我这边显示转账成功，但对方说余额里没有看到，麻烦帮忙查一下。",
        author: { kind: "customer" },
        messageChannel: "portal",
      });
      opened++;
    }
    if (customer && agent) {
      await openTicket(ctx, tx, {
        channel: "phone",
        customerId: customer.id,
        subject: "来电：登录时提示账户已锁定",
        body: "客户来电，连续输错几次密码后登录页提示账户已锁定，希望尽快恢复登录。已告知等待时间，待核实身份后跟进。",
        author: { kind: "agent", id: agent.id },
        messageChannel: "phone",
        assigneeId: agent.id,
      });
      opened++;
    }
    await openTicket(ctx, tx, {
      channel: "email",
      customerId: null,
      requesterEmail: "wang.fang@example.com",
      requesterName: "王芳",
      subject: "提现手续费怎么算？",
      body: "您好，想问一下提现到银行卡的手续费是怎么计算的，周末也能提现吗？谢谢。",
      author: { kind: "customer" },
      messageChannel: "email",
      email: { messageId: "<demo-withdrawal-fee-question@example.com>" },
    });
    return opened + 1;
  });
}
