// How every portal form ends: what went wrong or right with the last try, then the button that sends it.
import { Button } from "antd-mobile";
import type { ReactNode } from "react";
import { Notice } from "../common/ui/notice";
import type { Submit } from "../common/ui/use-submit";

export function FormEnd({
  submit,
  label,
  success,
  color = "primary",
  size,
}: {
  submit: Pick<Submit, "busy" | "error" | "done">;
  label: ReactNode;
  /** Shown once the last try worked, for forms that stay on the page. */
  success?: ReactNode;
  color?: "primary" | "danger";
  size?: "large";
}) {
  return (
    <>
      {submit.error ? <Notice tone="error">{submit.error}</Notice> : null}
      {success && submit.done ? <Notice tone="success">{success}</Notice> : null}
      <Button type="submit" color={color} block size={size} loading={submit.busy}>
        {label}
      </Button>
    </>
  );
}
