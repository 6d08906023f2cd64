// One GET a page shows (a balance, a top-up), fetched when the path changes and again on reload.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../../common/api";
import { errorText } from "../../../common/ui/error-text";

export type Resource<T> = {
  data: T | null;
  error: string;
  reload: () => Promise<T | null>;
};

/** `path` null fetches nothing (a page waiting for its input). */
export function useResource<T>(path: string | null): Resource<T> {
  const { t } = useTranslation();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState("");

  const reload = useCallback(async () => {
    if (!path) return null;
    try {
      const value = await get<T>(path);
      setData(value);
      setError("");
      return value;
    } catch (err) {
      setError(errorText(t, err));
      return null;
    }
  }, [path, t]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, error, reload };
}
