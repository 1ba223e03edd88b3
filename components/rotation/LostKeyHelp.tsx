import type { KeyRole } from "@/lib/records/client/sign-up";

/**
 * What a lost private key means, exactly: each record's data key is wrapped per reader, and only the reader's
 * private key opens their copy. Nobody (not the server, not an administrator) holds another copy.
 */
export function LostKeyHelp({ role, open = false }: { role: KeyRole; open?: boolean }) {
  return (
    <details className="rounded-md border border-slate-200 bg-slate-50 p-4 text-sm text-slate-800" data-testid="lost-key-help" open={open}>
      <summary className="cursor-pointer font-medium">Lost your old key? What can and cannot be recovered</summary>
      <div className="mt-3 space-y-2">
        <p>
          Rotating needs your current key: it is what opens the record keys that are re-wrapped for the new one. If the key is gone (this browser&apos;s
          storage was cleared and there is no backup file, or the passphrase is forgotten):
        </p>
        {role === "patient" ? (
          <ul className="list-disc space-y-1 pl-5">
            <li>
              <strong>Cannot be recovered:</strong> every record whose data key is wrapped only for the lost key. That is every record you uploaded
              yourself unless a doctor can still read it. Your records cannot be recovered without the old key or a backup file of it: nobody else,
              not the server and not an administrator, holds a copy.
            </li>
            <li>
              <strong>Can be recovered:</strong> a record a doctor can still read (a live grant) was wrapped for that doctor too; the doctor can open it and
              give you the file again. Records stay on chain and in storage, encrypted.
            </li>
            <li>First look for your backup file (ehr-key-backup-…json): restoring it on this device brings everything back.</li>
          </ul>
        ) : (
          <ul className="list-disc space-y-1 pl-5">
            <li>
              <strong>Cannot be recovered by you:</strong> the records patients shared with you, as long as their keys are wrapped only for the lost key.
            </li>
            <li>
              <strong>Can be recovered:</strong> each patient still holds their own key, so a patient can share the records again with your new key (their
              grants on chain stay valid; only the wrapped keys need renewing). Records you added for a patient remain readable by the patient.
            </li>
            <li>First look for your backup file (ehr-key-backup-…json): restoring it on this device brings everything back.</li>
          </ul>
        )}
      </div>
    </details>
  );
}
