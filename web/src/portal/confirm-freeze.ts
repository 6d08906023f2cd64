// The one question asked before any freeze, signed in or not: freezing signs the account out everywhere.
import { Dialog } from "antd-mobile";
import type { Submit } from "../common/ui/use-submit";

type Translate = (key: string) => string;

function confirmFreeze(t: Translate): Promise<boolean> {
  return Dialog.confirm({
    title: t("freeze.confirmTitle"),
    content: t("freeze.warning"),
    confirmText: t("freeze.confirm"),
    cancelText: t("common.cancel"),
  });
}

/** Asks, then sends the freeze through the form's submit state; a "no" leaves the form as it was, cleared of old words. */
export async function freezeAfterConfirming(
  t: Translate,
  submit: Pick<Submit, "reset" | "run">,
  freeze: () => Promise<void>,
): Promise<void> {
  submit.reset();
  if (!(await confirmFreeze(t))) return;
  await submit.run(freeze);
}
