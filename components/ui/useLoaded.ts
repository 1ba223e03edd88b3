"use client";

import { useCallback, useEffect, useState, type DependencyList } from "react";

/** Something loading in the browser: still loading, failed with a message a person can read, or ready. */
export type Loaded<T> = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; value: T };

/**
 * Runs `load` when the component mounts, when `deps` change and on `reload()`, dropping the answers of runs
 * that a newer one replaced. `reload()` shows "loading" again; `refresh()` keeps the current value on screen
 * until the new one arrives.
 */
export function useLoaded<T>(load: () => Promise<T>, failure: string, deps: DependencyList): { loaded: Loaded<T>; reload: () => void; refresh: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ status: "loading" });
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let cancelled = false;
    load()
      .then((value) => !cancelled && setLoaded({ status: "ready", value }))
      .catch((error: unknown) => !cancelled && setLoaded({ status: "error", message: error instanceof Error ? error.message : failure }));
    return () => {
      cancelled = true;
    };
    // `load` is a new function on every render; `deps` are what it reads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, version]);

  const refresh = useCallback(() => setVersion((value) => value + 1), []);
  const reload = useCallback(() => {
    setLoaded({ status: "loading" });
    refresh();
  }, [refresh]);

  return { loaded, reload, refresh };
}
