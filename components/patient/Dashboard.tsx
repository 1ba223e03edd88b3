"use client";

import { useCallback, useEffect, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { loadMyRecords, type RecordEntry } from "@/lib/records/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { UploadForm } from "./UploadForm";
import { useUploadLimit } from "@/components/UploadLimit";
import { RecordList } from "./RecordList";
import { RecordViewer } from "./RecordViewer";
import { ProfilePanel } from "./ProfilePanel";

type Loaded = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; entries: RecordEntry[] };

/** The unlocked patient's home: records (from the chain, decrypted here), upload, open, profile. */
export function Dashboard({ chain, keyPair, onLock }: { chain: BrowserChain; keyPair: UnlockedKey; onLock: () => void }) {
  const maxUploadBytes = useUploadLimit();
  const [loaded, setLoaded] = useState<Loaded>({ status: "loading" });
  const [uploading, setUploading] = useState(false);
  const [opened, setOpened] = useState<Extract<RecordEntry, { status: "ok" }>>();
  const [notice, setNotice] = useState<string>();
  const [shareWarnings, setShareWarnings] = useState<string[]>([]);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let cancelled = false;
    loadMyRecords(chain, keyPair)
      .then((entries) => !cancelled && setLoaded({ status: "ready", entries }))
      .catch((error: unknown) => !cancelled && setLoaded({ status: "error", message: error instanceof Error ? error.message : "Could not load your records." }));
    return () => {
      cancelled = true;
    };
  }, [chain, keyPair, version]);

  const reload = useCallback(() => {
    setLoaded({ status: "loading" });
    setVersion((value) => value + 1);
  }, []);

  const entries = loaded.status === "ready" ? loaded.entries : [];

  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-center gap-3">
        <span className="rounded-full bg-emerald-100 px-3 py-1 text-sm text-emerald-900" data-testid="key-unlocked">
          Key unlocked on this device
        </span>
        <Button variant="secondary" onClick={onLock}>
          Lock
        </Button>
      </div>

      {notice && <Alert tone="success">{notice}</Alert>}
      {shareWarnings.length > 0 && (
        <Alert tone="warning" title="Not shared with every doctor holding an all-records grant" testId="upload-share-warning">
          <ul className="list-disc pl-5">
            {shareWarnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </Alert>
      )}

      {opened ? (
        <RecordViewer entry={opened} keyPair={keyPair} onClose={() => setOpened(undefined)} />
      ) : (
        <>
          <section aria-labelledby="upload-heading" className="space-y-3">
            <div className="flex items-center justify-between">
              <h2 id="upload-heading" className="text-xl font-semibold">
                Add a record
              </h2>
              {!uploading && (
                <Button
                  onClick={() => {
                    setNotice(undefined);
                    setShareWarnings([]);
                    setUploading(true);
                  }}
                >
                  Upload a PDF
                </Button>
              )}
            </div>
            {uploading && (
              <UploadForm
                chain={chain}
                maxBytes={maxUploadBytes}
                keyPair={keyPair}
                existing={entries}
                onCancel={() => setUploading(false)}
                onUploaded={(title, outcome) => {
                  setUploading(false);
                  setNotice(`“${title}” was encrypted, stored and recorded on chain.`);
                  setShareWarnings(outcome?.skipped.map((entry) => entry.message) ?? []);
                  reload();
                }}
              />
            )}
          </section>

          <section aria-labelledby="records-heading" className="space-y-3">
            <h2 id="records-heading" className="text-xl font-semibold">
              My records
            </h2>
            {loaded.status === "loading" && <p className="text-slate-600">Loading your records from the chain…</p>}
            {loaded.status === "error" && (
              <Alert tone="error" title="Could not load your records">
                {loaded.message}{" "}
                <Button variant="link" onClick={reload}>
                  Try again
                </Button>
              </Alert>
            )}
            {loaded.status === "ready" && <RecordList entries={loaded.entries} onOpen={setOpened} onAdd={() => setUploading(true)} />}
          </section>

          <ProfilePanel keyPair={keyPair} />
        </>
      )}
    </div>
  );
}
