"use client";

import { useEffect, useId, useState, type FormEvent } from "react";
import type { UnlockedKey } from "@/lib/keystore";
import { EMPTY_PROFILE, loadProfile, saveProfile, type ProfileFields } from "@/lib/records/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { ProfileInputs } from "./ProfileInputs";

/** The encrypted profile: decrypted here, edited here, encrypted again before saving. */
export function ProfilePanel({ keyPair }: { keyPair: UnlockedKey }) {
  const id = useId();
  const [profile, setProfile] = useState<ProfileFields>();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string }>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let cancelled = false;
    loadProfile(keyPair.secretKey)
      .then((loaded) => !cancelled && setProfile(loaded ?? EMPTY_PROFILE))
      .catch(() => {
        if (cancelled) return;
        setProfile(EMPTY_PROFILE);
        setMessage({ tone: "error", text: "Your saved profile could not be loaded." });
      });
    return () => {
      cancelled = true;
    };
  }, [keyPair]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!profile) return;
    setSaving(true);
    setMessage(undefined);
    try {
      await saveProfile(profile, keyPair.publicKey);
      setMessage({ tone: "success", text: "Profile saved (encrypted)." });
    } catch (error) {
      setMessage({ tone: "error", text: error instanceof Error ? error.message : "Could not save your profile." });
    } finally {
      setSaving(false);
    }
  };

  return (
    <details className="rounded-lg border border-slate-200 bg-white p-4">
      <summary className="cursor-pointer font-semibold">My profile</summary>
      {!profile ? (
        <p className="mt-3 text-sm text-slate-600">Loading…</p>
      ) : (
        <form onSubmit={(event) => void submit(event)} className="mt-3 space-y-3">
          <p className="text-sm text-slate-600">Encrypted in this browser; the server stores only ciphertext.</p>
          <ProfileInputs idPrefix={id} value={profile} onChange={setProfile} />
          {message && <Alert tone={message.tone}>{message.text}</Alert>}
          <Button type="submit" disabled={saving}>
            {saving ? "Saving…" : "Save profile"}
          </Button>
        </form>
      )}
    </details>
  );
}
