"use client";

import { useEffect, useState } from "react";
import { accessRequestsApi, REQUESTS_CHANGED_EVENT } from "@/lib/access-requests/client";

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
    return () => {
      cancelled = true;
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
