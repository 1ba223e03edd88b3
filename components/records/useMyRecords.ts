"use client";

import { useEffect } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { loadMyRecordsPage, RECORDS_PAGE_SIZE, type RecordEntry, type RecordsPage } from "@/lib/records/client/list";
import type { Loaded } from "@/components/ui/useLoaded";
import { usePages } from "@/components/ui/usePages";

/** "Load more" under a paged list: how many older records are not loaded yet. */
export interface MoreRecords {
  remaining: number;
  loading: boolean;
  error?: string;
  onLoadMore: () => void;
}

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
  const { shown, failed, loadingMore, moreError, reload, loadMore } = usePages<RecordsPage>(
    {
      first: () => loadMyRecordsPage(chain, keyPair),
      async more(listed, limit = RECORDS_PAGE_SIZE) {
        const older = await loadMyRecordsPage(chain, keyPair, { before: listed.next, limit, total: listed.total });
        return { entries: [...listed.entries, ...older.entries], next: older.next, total: listed.total };
      },
    },
    "Could not load your records.",
    [chain, keyPair],
  );

  // The whole history when a view needs it: every older record in one go.
  useEffect(() => {
    if (everything && shown && shown.next > 0 && !moreError) loadMore(shown, shown.next);
  }, [everything, shown, moreError, loadMore]);

  let loaded: Loaded<RecordEntry[]>;
  if (failed) loaded = { status: "error", message: failed };
  else if (!shown) loaded = { status: "loading" };
  else if (everything && shown.next > 0) loaded = moreError ? { status: "error", message: moreError } : { status: "loading" };
  else loaded = { status: "ready", value: shown.entries };

  const more =
    shown && shown.next > 0 && !everything ? { remaining: shown.next, loading: loadingMore, error: moreError, onLoadMore: () => void loadMore(shown) } : undefined;
  return { loaded, reload, more };
}
