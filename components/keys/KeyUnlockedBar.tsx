"use client";

import { Button } from "@/components/ui/Button";

/** The same bar in every portal once the key is unlocked: says so, and offers to lock it again. */
export function KeyUnlockedBar({ onLock }: { onLock: () => void }) {
  return (
    <div className="flex flex-wrap items-center gap-3">
      <span className="rounded-full bg-emerald-100 px-3 py-1 text-sm text-emerald-900" data-testid="key-unlocked">
        Key unlocked on this device
      </span>
      <Button variant="secondary" onClick={onLock}>
        Lock
      </Button>
    </div>
  );
}
