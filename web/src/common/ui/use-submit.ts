// The state every form keeps around one request: busy while it runs, the words of its failure, and whether it worked.
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "./error-text";

export type Submit = {
  busy: boolean;
  /** Words for the last failure; empty when there is none. */
  error: string;
  /** Whether the last run finished without throwing. */
  done: boolean;
  /** Clears error and done, runs the action with busy set, and says whether it worked. */
  run: (action: () => Promise<void>) => Promise<boolean>;
  /** As run, without busy: for a quick action (a row's button) that should not spin the form's button. */
  attempt: (action: () => Promise<void>) => Promise<boolean>;
  /** Shows a failure from elsewhere (a "get code" button, a list that would not load) in the same place. */
  onError: (err: unknown) => void;
  /** Shows words of the page's own, such as a check made before sending. */
  setError: (text: string) => void;
  reset: () => void;
};

/** `describe` turns a failure into words; by default a problem code's localised text or a network message. */
export function useSubmit(describe?: (err: unknown) => string): Submit {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [done, setDone] = useState(false);

  const onError = useCallback(
    (err: unknown) => setError(describe ? describe(err) : errorText(t, err)),
    [describe, t],
  );

  const reset = useCallback(() => {
    setError("");
    setDone(false);
  }, []);

  const attempt = useCallback(
    async (action: () => Promise<void>) => {
      reset();
      try {
        await action();
        setDone(true);
        return true;
      } catch (err) {
        onError(err);
        return false;
      }
    },
    [onError, reset],
  );

  const run = useCallback(
    async (action: () => Promise<void>) => {
      setBusy(true);
      try {
        return await attempt(action);
      } finally {
        setBusy(false);
      }
    },
    [attempt],
  );

  return { busy, error, done, run, attempt, onError, setError, reset };
}
