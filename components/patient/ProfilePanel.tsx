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
  // A failed load (anything but "no profile yet") must never turn into Save: that would replace the real
  // profile with an empty one. Only a retry is offered until the profile loads.
  const [loadError, setLoadError] = useState<string>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    loadProfile(keyPair.secretKey)
      .then((loaded) => {
        if (cancelled) return;
        setLoadError(undefined);
        setProfile(loaded ?? EMPTY_PROFILE);
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        setProfile(undefined);
        setLoadError(error instanceof Error && error.message ? error.message : "Unknown error.");
      });
    return () => {
      cancelled = true;
    };
  }, [keyPair, attempt]);

  const retry = () => {
    setLoadError(undefined);
    setMessage(undefined);
    setAttempt((value) => value + 1);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!profile || loadError) return;
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
      {loadError ? (
        <div className="mt-3" data-testid="profile-load-error">
          <Alert tone="error" title="Your saved profile could not be loaded">
            <p>{loadError}</p>
            <p className="mt-1 text-sm">Nothing was changed. Editing is off until it loads, so that your profile is not overwritten.</p>
            <Button className="mt-2" onClick={retry}>
              Retry
            </Button>
          </Alert>
        </div>
      ) : !profile ? (
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
