"use client";

import { useEffect, useState } from "react";
import { accessRequestsApi, REQUESTS_CHANGED_EVENT } from "@/lib/access-requests/client";

/** New requests show up within this time without any action (the list itself also refreshes the count). */
const REFRESH_MS = 60_000;

/** How many access requests wait for the patient (a small badge on the Requests tab); nothing when none or unknown. */
export function PendingRequestsBadge() {
  const [count, setCount] = useState<number>();

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      accessRequestsApi
        .getReceivedRequests()
        .then((answer) => !cancelled && setCount(answer.requests.length))
        .catch(() => !cancelled && setCount(undefined));
    void load();
    window.addEventListener(REQUESTS_CHANGED_EVENT, load);
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
      window.removeEventListener(REQUESTS_CHANGED_EVENT, load);
    };
  }, []);

  if (!count) return null;
  return (
    <span className="ml-2 rounded-full bg-brand-600 px-2 py-0.5 text-xs font-semibold text-white" data-testid="pending-requests-count" aria-label={`${count} pending`}>
      {count}
    </span>
  );
}
