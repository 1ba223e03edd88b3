"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { addAdmin, listAdmins, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import { explainAdminError, parseAddressInput, removeAdministrator } from "@/lib/admin/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { TxProgress } from "./TxProgress";

type Admins = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; admins: string[] };
type Busy = { kind: "add"; tx: TxStatus } | { kind: "remove"; account: string; tx: TxStatus };

/** Administrators (replayed from AdminAdded / AdminRemoved events): add one, remove one (never the last). */
export function AdminsPanel({ chain, onChanged, onSelfRemoved }: { chain: BrowserChain; onChanged: () => void; onSelfRemoved: () => void }) {
  const id = useId();
  const [admins, setAdmins] = useState<Admins>({ status: "loading" });
  const [version, setVersion] = useState(0);
  const [address, setAddress] = useState("");
  const [addressError, setAddressError] = useState<string>();
  const [confirming, setConfirming] = useState<string>();
  const [busy, setBusy] = useState<Busy>();
  const [outcome, setOutcome] = useState<{ tone: "success" | "error"; text: string }>();
  const outcomeRef = useRef<HTMLDivElement>(null);
  const confirmRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let cancelled = false;
    listAdmins(chain)
      .then((list) => !cancelled && setAdmins({ status: "ready", admins: list }))
      .catch((error: unknown) => !cancelled && setAdmins({ status: "error", message: explainAdminError(error) }));
    return () => {
      cancelled = true;
    };
  }, [chain, version]);

  useEffect(() => {
    if (confirming) confirmRef.current?.querySelector("button")?.focus();
  }, [confirming]);

  const finish = (next: { tone: "success" | "error"; text: string }) => {
    setBusy(undefined);
    setOutcome(next);
    setVersion((value) => value + 1);
    requestAnimationFrame(() => outcomeRef.current?.focus());
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setOutcome(undefined);
    const parsed = parseAddressInput(address);
    if (!parsed.ok) {
      setAddressError(parsed.message);
      inputRef.current?.focus();
      return;
    }
    if (list.includes(parsed.address)) {
      setAddressError("This address is already an administrator.");
      inputRef.current?.focus();
      return;
    }
    setAddressError(undefined);
    setBusy({ kind: "add", tx: { stage: "checking" } });
    try {
      await addAdmin(chain, parsed.address, (tx) => setBusy({ kind: "add", tx }));
      setAddress("");
      finish({ tone: "success", text: `${parsed.address} is now an administrator.` });
      onChanged();
    } catch (error) {
      finish({ tone: "error", text: `The administrator was not added: ${explainAdminError(error)}` });
    }
  };

  const remove = async (account: string) => {
    setConfirming(undefined);
    setOutcome(undefined);
    setBusy({ kind: "remove", account, tx: { stage: "checking" } });
    try {
      await removeAdministrator(chain, account, (tx) => setBusy({ kind: "remove", account, tx }));
      finish({ tone: "success", text: `${account} is no longer an administrator.` });
      onChanged();
      if (account === chain.account) onSelfRemoved();
    } catch (error) {
      finish({ tone: "error", text: `The administrator was not removed: ${explainAdminError(error)}` });
    }
  };

  const list = admins.status === "ready" ? admins.admins : [];
  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="admins">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        Administrators
      </h2>
      <div ref={outcomeRef} tabIndex={-1} className="outline-none">
        {outcome && (
          <Alert tone={outcome.tone} testId="admin-action-result">
            {outcome.text}
          </Alert>
        )}
      </div>
      {admins.status === "loading" && <p className="text-slate-600">Loading administrators…</p>}
      {admins.status === "error" && <Alert tone="error">Could not list the administrators: {admins.message}</Alert>}
      {admins.status === "ready" && (
        <ul className="divide-y divide-slate-200" aria-label="Current administrators">
          {list.map((account) => (
            <li key={account} className="space-y-2 py-2" data-testid="admin-row" data-address={account}>
              <div className="flex flex-wrap items-center justify-between gap-3">
                <span className="break-all font-mono text-sm">
                  {account}
                  {account === chain.account ? " (you)" : ""}
                </span>
                {confirming !== account && !(busy?.kind === "remove" && busy.account === account) && (
                  <Button
                    variant="secondary"
                    disabled={busy !== undefined}
                    aria-label={`Remove administrator ${account}`}
                    onClick={() => {
                      setOutcome(undefined);
                      if (list.length <= 1) {
                        // Refused here, before the wallet is asked (the contract would refuse too).
                        finish({ tone: "error", text: "This is the last administrator: it cannot be removed. Add another administrator first." });
                        return;
                      }
                      setConfirming(account);
                    }}
                  >
                    Remove
                  </Button>
                )}
              </div>
              {confirming === account && (
                <div role="group" aria-label="Confirm removal" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="admin-confirm">
                  <p>
                    {account === chain.account
                      ? "Remove yourself as an administrator? You will lose access to this dashboard at once."
                      : `Remove ${account} as an administrator?`}
                  </p>
                  <div ref={confirmRef} className="mt-2 flex gap-3">
                    <Button variant="danger" onClick={() => void remove(account)}>
                      Confirm removal
                    </Button>
                    <Button variant="secondary" onClick={() => setConfirming(undefined)}>
                      Cancel
                    </Button>
                  </div>
                </div>
              )}
              {busy?.kind === "remove" && busy.account === account && <TxProgress label="Removing" tx={busy.tx} />}
            </li>
          ))}
        </ul>
      )}
      <form noValidate onSubmit={(event) => void add(event)} className="space-y-3">
        <Field id={`${id}-address`} label="New administrator's wallet address" required error={addressError}>
          {(control) => <input {...control} ref={inputRef} type="text" spellCheck={false} autoComplete="off" value={address} onChange={(event) => setAddress(event.target.value)} />}
        </Field>
        {busy?.kind === "add" && <TxProgress label="Adding" tx={busy.tx} />}
        <Button type="submit" disabled={busy !== undefined}>
          Add administrator
        </Button>
      </form>
    </section>
  );
}
