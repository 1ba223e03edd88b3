"use client";

import { useEffect, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { includeRecordsAddedByOthers } from "@/lib/emergency/client/patient";
import { Alert } from "@/components/ui/Alert";

/**
 * In the background on each visit: records doctors added for the patient join emergency access when in the
 * patient's scope (only the patient's browser can tell). Says so when it added any; silent otherwise, and on
 * failure (the emergency panel retries and shows errors).
 */
export function EmergencyCatchUp({ chain, keyPair }: { chain: BrowserChain; keyPair: UnlockedKey }) {
  const [added, setAdded] = useState(0);
  useEffect(() => {
    let current = true;
    includeRecordsAddedByOthers(chain, keyPair).then(
      (count) => current && setAdded(count),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [chain, keyPair]);
  if (added === 0) return null;
  return (
    <Alert tone="success" testId="emergency-added-by-others">
      {added === 1 ? "A record a doctor added for you is" : `${added} records doctors added for you are`} now included in emergency access.
    </Alert>
  );
}
