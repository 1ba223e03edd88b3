"use client";

import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { loadMyPatientsPage, type PatientOfDoctor, type PatientsPage } from "@/lib/doctor/client";
import type { Loaded } from "@/components/ui/useLoaded";
import { usePages } from "@/components/ui/usePages";

/** "Load more" under "My patients". */
export interface MorePatients {
  loading: boolean;
  error?: string;
  onLoadMore: () => void;
}

/**
 * "My patients", a page at a time: the first page on mount and on `reload()`, the next on "Load more"
 * (`more`, absent after the last page). `loaded` is ready with the pages loaded so far.
 */
export function useMyPatients(chain: BrowserChain, keyPair: UnlockedKey): { loaded: Loaded<PatientOfDoctor[]>; reload: () => void; more?: MorePatients } {
  const { shown, failed, loadingMore, moreError, reload, loadMore } = usePages<PatientsPage>(
    {
      first: () => loadMyPatientsPage(chain, keyPair),
      async more(listed) {
        const page = await loadMyPatientsPage(chain, keyPair, { cursor: listed.next ?? undefined });
        // A patient who granted again meanwhile moved to the top of the server's list: keep them once.
        const seen = new Set(listed.patients.map((patient) => patient.patient));
        return { patients: [...listed.patients, ...page.patients.filter((patient) => !seen.has(patient.patient))], next: page.next };
      },
    },
    "Could not load your patients.",
    [chain, keyPair],
  );

  let loaded: Loaded<PatientOfDoctor[]>;
  if (failed) loaded = { status: "error", message: failed };
  else if (!shown) loaded = { status: "loading" };
  else loaded = { status: "ready", value: shown.patients };
  const more = shown?.next ? { loading: loadingMore, error: moreError, onLoadMore: () => void loadMore(shown) } : undefined;
  return { loaded, reload, more };
}
