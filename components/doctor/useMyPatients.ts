"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { loadMyPatientsPage, type PatientOfDoctor, type PatientsPage } from "@/lib/doctor/client";
import type { Loaded } from "@/components/ui/useLoaded";

/** "Load more" under "My patients". */
export interface MorePatients {
  loading: boolean;
  error?: string;
  onLoadMore: () => void;
}

const FAILURE = "Could not load your patients.";
const messageOf = (error: unknown) => (error instanceof Error ? error.message : FAILURE);

/**
 * "My patients", a page at a time: the first page on mount and on `reload()`, the next on "Load more"
 * (`more`, absent after the last page). `loaded` is ready with the pages loaded so far.
 */
export function useMyPatients(chain: BrowserChain, keyPair: UnlockedKey): { loaded: Loaded<PatientOfDoctor[]>; reload: () => void; more?: MorePatients } {
  const [pages, setPages] = useState<PatientsPage & { version: number }>();
  const [error, setError] = useState<{ version: number; message: string }>();
  const [moreError, setMoreError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [version, setVersion] = useState(0);
  // The run whose answers count (bumped by every first-page load): older answers arriving later are dropped.
  const generation = useRef(0);
  const fetchingMore = useRef(false);

  useEffect(() => {
    const mine = ++generation.current;
    fetchingMore.current = false;
    loadMyPatientsPage(chain, keyPair)
      .then((page) => mine === generation.current && setPages({ ...page, version }))
      .catch((failure: unknown) => mine === generation.current && setError({ version, message: messageOf(failure) }));
  }, [chain, keyPair, version]);

  const current = pages?.version === version ? pages : undefined;
  const failed = error?.version === version ? error.message : undefined;

  const loadMore = () => {
    if (!current?.next || fetchingMore.current) return;
    const mine = generation.current;
    fetchingMore.current = true;
    setMoreError(undefined);
    setLoadingMore(true);
    loadMyPatientsPage(chain, keyPair, { cursor: current.next })
      .then((page) => {
        if (mine !== generation.current) return;
        // A patient who granted again meanwhile moved to the top of the server's list: keep them once.
        const shown = new Set(current.patients.map((patient) => patient.patient));
        setPages({ patients: [...current.patients, ...page.patients.filter((patient) => !shown.has(patient.patient))], next: page.next, version: current.version });
      })
      .catch((failure: unknown) => mine === generation.current && setMoreError(messageOf(failure)))
      .finally(() => {
        if (mine !== generation.current) return;
        fetchingMore.current = false;
        setLoadingMore(false);
      });
  };

  const reload = useCallback(() => {
    setMoreError(undefined);
    setLoadingMore(false);
    setVersion((value) => value + 1);
  }, []);

  let loaded: Loaded<PatientOfDoctor[]>;
  if (failed) loaded = { status: "error", message: failed };
  else if (!current) loaded = { status: "loading" };
  else loaded = { status: "ready", value: current.patients };
  const more = current?.next ? { loading: loadingMore, error: moreError, onLoadMore: loadMore } : undefined;
  return { loaded, reload, more };
}
