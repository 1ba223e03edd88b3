"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { loadMyRecordsPage, RECORDS_PAGE_SIZE, type RecordEntry, type RecordsPage } from "@/lib/records/client/list";
import type { Loaded } from "@/components/ui/useLoaded";

/** "Load more" under a paged list: how many older records are not loaded yet. */
export interface MoreRecords {
  remaining: number;
  loading: boolean;
  error?: string;
  onLoadMore: () => void;
}

const FAILURE = "Could not load your records.";
const messageOf = (error: unknown) => (error instanceof Error ? error.message : FAILURE);

/**
 * The patient's records, a page at a time: the newest page on mount and on `reload()`, older pages on "Load
 * more" (`more`), and every remaining page at once while `everything` is true (the views that need the whole
 * history: sharing, timeline, export, the upload's duplicate check). `loaded` is ready with the pages loaded
 * so far, or, while `everything` is asked, only once they are all in.
 */
export function useMyRecords(
  chain: BrowserChain,
  keyPair: UnlockedKey,
  everything: boolean,
): { loaded: Loaded<RecordEntry[]>; reload: () => void; more?: MoreRecords } {
  const [pages, setPages] = useState<RecordsPage & { version: number }>();
  const [error, setError] = useState<{ version: number; message: string }>();
  const [moreError, setMoreError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [version, setVersion] = useState(0);
  // The run whose answers count (bumped by every first-page load): older answers arriving later are dropped.
  const generation = useRef(0);
  const fetchingOlder = useRef(false);

  useEffect(() => {
    const mine = ++generation.current;
    fetchingOlder.current = false;
    loadMyRecordsPage(chain, keyPair)
      .then((page) => mine === generation.current && setPages({ ...page, version }))
      .catch((failure: unknown) => mine === generation.current && setError({ version, message: messageOf(failure) }));
  }, [chain, keyPair, version]);

  // Older records before `current.next`, appended when they arrive; false when nothing was started.
  const fetchOlder = useCallback(
    (current: RecordsPage & { version: number }, limit: number): boolean => {
      if (current.next === 0 || fetchingOlder.current) return false;
      const mine = generation.current;
      fetchingOlder.current = true;
      loadMyRecordsPage(chain, keyPair, { before: current.next, limit, total: current.total })
        .then((older) => {
          if (mine !== generation.current) return;
          fetchingOlder.current = false;
          setPages({ entries: [...current.entries, ...older.entries], next: older.next, total: current.total, version: current.version });
          setLoadingMore(false);
        })
        .catch((failure: unknown) => {
          if (mine !== generation.current) return;
          fetchingOlder.current = false;
          setMoreError(messageOf(failure));
          setLoadingMore(false);
        });
      return true;
    },
    [chain, keyPair],
  );

  const current = pages?.version === version ? pages : undefined;
  const failed = error?.version === version ? error.message : undefined;

  // The whole history when a view needs it: every older page in one go.
  useEffect(() => {
    if (everything && current && !moreError) fetchOlder(current, current.next);
  }, [everything, current, moreError, fetchOlder]);

  const reload = useCallback(() => {
    setMoreError(undefined);
    setLoadingMore(false);
    setVersion((value) => value + 1);
  }, []);

  let loaded: Loaded<RecordEntry[]>;
  if (failed) loaded = { status: "error", message: failed };
  else if (!current) loaded = { status: "loading" };
  else if (everything && current.next > 0) loaded = moreError ? { status: "error", message: moreError } : { status: "loading" };
  else loaded = { status: "ready", value: current.entries };

  const loadMore = () => {
    if (!current) return;
    setMoreError(undefined);
    if (fetchOlder(current, RECORDS_PAGE_SIZE)) setLoadingMore(true);
  };
  const more = current && current.next > 0 && !everything ? { remaining: current.next, loading: loadingMore, error: moreError, onLoadMore: loadMore } : undefined;
  return { loaded, reload, more };
}
