// Words for any failure: the localised text for a problem code, or a network message.
import { ApiError } from "../api";
import { problemMessage } from "../i18n";

type Translate = (key: string, options?: Record<string, unknown>) => string;

export function errorText(t: Translate, err: unknown): string {
  if (err instanceof ApiError) return problemMessage(t, err.code, err.message);
  return t("errors.network");
}
