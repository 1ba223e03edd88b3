"use client";

import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";

/** What usePages reads: the first page, and the page(s) after what is shown, merged into it. */
export interface PageSource<P> {
  first(): Promise<P>;
  /** `shown` with what follows it added; `limit` is what loadMore was given (undefined: one page). */
  more(shown: P, limit?: number): Promise<P>;
}

export interface Pages<P> {
  /** The first page and every page added since; undefined while the first page loads or when it failed. */
  shown?: P;
  /** Why the first page could not be read. */
  failed?: string;
  /** More is on its way. */
  loadingMore: boolean;
  /** Why the last loadMore failed. */
  moreError?: string;
  /** Reads the first page again (the list shows "loading" until it is in). */
  reload(): void;
  /** Adds what follows `shown`; false (nothing started) while more is already on its way. */
  loadMore(shown: P, limit?: number): boolean;
}

const messageOf = (reason: unknown, failure: string) => (reason instanceof Error ? reason.message : failure);

/**
 * A list read a page at a time: the first page on mount, when `deps` change and on reload(); more on
 * loadMore(), one request at a time. Answers of a run that a reload or a change of `deps` replaced are dropped,
 * so an old page never lands in a new list, and the old list is not shown while the new one loads.
 */
export function usePages<P>(source: PageSource<P>, failure: string, deps: DependencyList): Pages<P> {
  const [pages, setPages] = useState<{ shown: P; version: number }>();
  const [error, setError] = useState<{ version: number; message: string }>();
  const [moreError, setMoreError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [version, setVersion] = useState(0);
  // A change of `deps` (another chain or key) starts a new list: the old one is neither shown meanwhile nor
  // extended by a loadMore with the new source. Reset during render, as React advises for state that follows a prop.
  const [listFor, setListFor] = useState<DependencyList>(deps);
  if (deps.length !== listFor.length || deps.some((dep, i) => !Object.is(dep, listFor[i]))) {
    setListFor(deps);
    setPages(undefined);
    setError(undefined);
    setMoreError(undefined);
    setLoadingMore(false);
  }
  // The run whose answers count (bumped by every first-page read).
  const generation = useRef(0);
  const fetchingMore = useRef(false);
  // The newest source, for loadMore: `source` is a new object on every render.
  const latest = useRef(source);
  useEffect(() => {
    latest.current = source;
  });

  useEffect(() => {
    const mine = ++generation.current;
    fetchingMore.current = false;
    source
      .first()
      .then((shown) => {
        if (mine !== generation.current) return;
        setError(undefined); // a failed earlier run of the same version (deps changed since) no longer counts
        setPages({ shown, version });
      })
      .catch((reason: unknown) => mine === generation.current && setError({ version, message: messageOf(reason, failure) }));
    // `source` is a new object on every render; `deps` are what it reads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, version]);

  const loadMore = useCallback(
    (shown: P, limit?: number): boolean => {
      if (fetchingMore.current) return false;
      const mine = generation.current;
      fetchingMore.current = true;
      setMoreError(undefined);
      setLoadingMore(true);
      latest.current
        .more(shown, limit)
        .then((merged) => mine === generation.current && setPages({ shown: merged, version }))
        .catch((reason: unknown) => mine === generation.current && setMoreError(messageOf(reason, failure)))
        .finally(() => {
          if (mine !== generation.current) return;
          fetchingMore.current = false;
          setLoadingMore(false);
        });
      return true;
    },
    [version, failure],
  );

  const reload = useCallback(() => {
    setMoreError(undefined);
    setLoadingMore(false);
    setVersion((value) => value + 1);
  }, []);

  return {
    shown: pages?.version === version ? pages.shown : undefined,
    failed: error?.version === version ? error.message : undefined,
    loadingMore,
    moreError,
    reload,
    loadMore,
  };
}
