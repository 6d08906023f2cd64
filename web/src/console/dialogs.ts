// How the console's dialogs open and close: shared by every Modal and modal.confirm in the console.
import { ConfigProvider } from "antd";
import { useContext } from "react";

/**
 * Props for a console dialog: `<Modal {...dialogProps}>`, `modal.confirm({ ...dialogProps })`.
 *
 * - It fades in where it will stay. antd's default zooms a dialog out of the last click over
 *   0.3 s, so its buttons move while it opens: a press that lands on the growing OK button and is
 *   released a frame later, once the button has moved from under the pointer, is a click on the
 *   backdrop instead, and nothing happens. A browser test on a loaded machine hit exactly that
 *   (the zoom can sit on its first frame for a few frames before it runs, so the button looked
 *   settled); a quick person can too. Faded in, every control is where it stays from the first frame.
 * - A click on the backdrop does not close it (× , Cancel and Esc do). The second click of a double
 *   click on the button that opened it lands on the backdrop, and closed it at once; a stray click
 *   beside a dialog would also throw away what was typed into it.
 */
export function useDialogProps(): { transitionName: string; mask: { closable: false } } {
  const { getPrefixCls } = useContext(ConfigProvider.ConfigContext);
  return { transitionName: getPrefixCls("fade"), mask: { closable: false } };
}
