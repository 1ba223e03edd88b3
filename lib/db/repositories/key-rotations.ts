import "server-only";
import { dbQuery, withTransaction, type Queryable } from "./query";

/** A wrapped_keys row whose recipient is the rotating user (confirmed on a record, or pending on an upload). */
export interface OwnWrappedKey {
  id: string;
  recordId: string | null;
  uploadId: string | null;
  wrappedKey: Uint8Array;
}

/** Where a wrapped key sealed for the rotating user sits outside wrapped_keys (see migration 0008). */
export type SealedKind = "emergency_scope" | "emergency_note" | "request_reason_patient" | "request_reason_doctor";

/** One such wrapped key: its kind, the row it belongs to, and the 81 bytes in front of that row's ciphertext. */
export interface OwnSealedKey {
  kind: SealedKind;
  ref: string;
  wrappedKey: Uint8Array;
}

/** Every wrapped key of `address`'s in the emergency and access request tables, as (kind, ref). */
const OWN_SEALED_SQL = `
  SELECT 'emergency_scope' AS kind, key_version::text AS ref, substring(sealed_scope FROM 1 FOR 81) AS wrapped_key FROM emergency_configs WHERE patient = $1
  UNION ALL SELECT 'emergency_note', request_id::text, substring(sealed_note FROM 1 FOR 81) FROM emergency_notes WHERE recipient = $1
  UNION ALL SELECT 'request_reason_patient', id::text, reason_key_patient FROM access_requests WHERE patient = $1
  UNION ALL SELECT 'request_reason_doctor', id::text, reason_key_doctor FROM access_requests WHERE doctor = $1`;

export async function findOwnSealedKeys(address: string, db?: Queryable): Promise<OwnSealedKey[]> {
  const result = await dbQuery<{ kind: SealedKind; ref: string; wrapped_key: Buffer }>(`${OWN_SEALED_SQL} ORDER BY 1, 2`, [address], db);
  return result.rows.map((row) => ({ kind: row.kind, ref: row.ref, wrappedKey: row.wrapped_key }));
}

export interface KeyRotationRow {
  address: string;
  oldPublicKey: Uint8Array;
  newPublicKey: Uint8Array;
  profileWrappedKey: Uint8Array | null;
  staged: number;
  createdAt: Date;
}

/** Every data key wrapped for `recipient`, in id order. */
export async function findOwnWrappedKeys(recipient: string, db?: Queryable): Promise<OwnWrappedKey[]> {
  const result = await dbQuery<{ id: string; record_id: string | null; upload_id: string | null; wrapped_key: Buffer }>(
    "SELECT id::text AS id, record_id::text AS record_id, upload_id::text AS upload_id, wrapped_key FROM wrapped_keys WHERE recipient = $1 ORDER BY wrapped_keys.id",
    [recipient],
    db,
  );
  return result.rows.map((row) => ({ id: row.id, recordId: row.record_id, uploadId: row.upload_id, wrappedKey: row.wrapped_key }));
}

export async function findKeyRotation(address: string): Promise<KeyRotationRow | undefined> {
  const result = await dbQuery<{ address: string; old_public_key: Buffer; new_public_key: Buffer; profile_wrapped_key: Buffer | null; staged: number; created_at: Date }>(
    `SELECT r.address, r.old_public_key, r.new_public_key, r.profile_wrapped_key, r.created_at,
            (SELECT count(*)::int FROM key_rotation_keys k WHERE k.address = r.address) AS staged
       FROM key_rotations r WHERE r.address = $1`,
    [address],
  );
  const row = result.rows[0];
  return (
    row && {
      address: row.address,
      oldPublicKey: row.old_public_key,
      newPublicKey: row.new_public_key,
      profileWrappedKey: row.profile_wrapped_key,
      staged: row.staged,
      createdAt: row.created_at,
    }
  );
}

export type StageOutcome = { outcome: "staged"; staged: number } | { outcome: "foreign_keys" };

/**
 * Opens (or continues) `address`'s rotation to `newPublicKey` and stages re-wrapped keys for it. A rotation to
 * another new key is replaced, staged keys and all. Every id must be a wrapped_keys row of `address`, else
 * nothing is written ("foreign_keys"). Staging the same row again replaces its staged key.
 */
export async function stageRotationKeys(input: {
  address: string;
  oldPublicKey: Uint8Array;
  newPublicKey: Uint8Array;
  profileWrappedKey?: Uint8Array;
  keys: ReadonlyArray<{ id: string; wrappedKey: Uint8Array }>;
  sealed?: ReadonlyArray<{ kind: SealedKind; ref: string; wrappedKey: Uint8Array }>;
}): Promise<StageOutcome> {
  const sealed = input.sealed ?? [];
  return withTransaction(async (client) => {
    const ids = input.keys.map((key) => key.id);
    if (ids.length > 0) {
      const own = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM wrapped_keys WHERE recipient = $1 AND id = ANY($2::bigint[])", [input.address, ids]);
      if (own.rows[0]!.n !== new Set(ids).size) return { outcome: "foreign_keys" };
    }
    if (sealed.length > 0) {
      const own = new Set((await findOwnSealedKeys(input.address, client)).map((item) => `${item.kind}:${item.ref}`));
      if (!sealed.every((item) => own.has(`${item.kind}:${item.ref}`))) return { outcome: "foreign_keys" };
    }
    await client.query("DELETE FROM key_rotations WHERE address = $1 AND new_public_key <> $2", [input.address, Buffer.from(input.newPublicKey)]);
    await client.query(
      `INSERT INTO key_rotations (address, old_public_key, new_public_key, profile_wrapped_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (address) DO UPDATE SET profile_wrapped_key = COALESCE(EXCLUDED.profile_wrapped_key, key_rotations.profile_wrapped_key), updated_at = now()`,
      [input.address, Buffer.from(input.oldPublicKey), Buffer.from(input.newPublicKey), input.profileWrappedKey ? Buffer.from(input.profileWrappedKey) : null],
    );
    if (ids.length > 0) {
      await client.query(
        `INSERT INTO key_rotation_keys (address, wrapped_key_id, wrapped_key)
         SELECT $1, id, wrapped_key FROM unnest($2::bigint[], $3::bytea[]) AS k(id, wrapped_key)
         ON CONFLICT (address, wrapped_key_id) DO UPDATE SET wrapped_key = EXCLUDED.wrapped_key`,
        [input.address, ids, input.keys.map((key) => Buffer.from(key.wrappedKey))],
      );
    }
    if (sealed.length > 0) {
      await client.query(
        `INSERT INTO key_rotation_sealed (address, kind, ref, wrapped_key)
         SELECT $1, kind, ref, wrapped_key FROM unnest($2::text[], $3::text[], $4::bytea[]) AS s(kind, ref, wrapped_key)
         ON CONFLICT (address, kind, ref) DO UPDATE SET wrapped_key = EXCLUDED.wrapped_key`,
        [input.address, sealed.map((item) => item.kind), sealed.map((item) => item.ref), sealed.map((item) => Buffer.from(item.wrappedKey))],
      );
    }
    const staged = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM key_rotation_keys WHERE address = $1", [input.address]);
    return { outcome: "staged", staged: staged.rows[0]!.n };
  });
}

export type SwapOutcome =
  | { outcome: "swapped"; swapped: number; profile: boolean }
  | { outcome: "no_rotation" }
  | { outcome: "unstaged"; ids: string[]; profile: boolean; sealed: { kind: SealedKind; ref: string }[] };

/**
 * Swaps the staged keys of `address`'s rotation to `newPublicKey` into wrapped_keys, the profile and the users
 * row, in one transaction, and closes the rotation. Refused ("unstaged") while a row wrapped for `address`, or
 * its profile, has no staged key: the caller re-wraps those first. The caller has checked the chain.
 */
export async function swapRotationKeys(address: string, newPublicKey: Uint8Array): Promise<SwapOutcome> {
  return withTransaction(async (client) => {
    const rotation = await client.query<{ profile_wrapped_key: Buffer | null }>(
      "SELECT profile_wrapped_key FROM key_rotations WHERE address = $1 AND new_public_key = $2 FOR UPDATE",
      [address, Buffer.from(newPublicKey)],
    );
    const row = rotation.rows[0];
    if (!row) return { outcome: "no_rotation" };
    // Lock the user's rows so that none changes between the check and the swap.
    const unstaged = await client.query<{ id: string }>(
      `SELECT w.id::text AS id FROM wrapped_keys w
        WHERE w.recipient = $1 AND NOT EXISTS (SELECT 1 FROM key_rotation_keys k WHERE k.address = $1 AND k.wrapped_key_id = w.id)
        ORDER BY w.id FOR UPDATE OF w`,
      [address],
    );
    const profile = await client.query("SELECT 1 FROM profiles WHERE address = $1 FOR UPDATE", [address]);
    const profileMissing = (profile.rowCount ?? 0) > 0 && row.profile_wrapped_key === null;
    const stagedSealed = await client.query<{ kind: string; ref: string }>("SELECT kind, ref FROM key_rotation_sealed WHERE address = $1", [address]);
    const stagedRefs = new Set(stagedSealed.rows.map((row) => `${row.kind}:${row.ref}`));
    const sealedMissing = (await findOwnSealedKeys(address, client)).filter((item) => !stagedRefs.has(`${item.kind}:${item.ref}`)).map(({ kind, ref }) => ({ kind, ref }));
    if (unstaged.rows.length > 0 || profileMissing || sealedMissing.length > 0) {
      return { outcome: "unstaged", ids: unstaged.rows.map((r) => r.id), profile: profileMissing, sealed: sealedMissing };
    }
    const swapped = await client.query(
      `UPDATE wrapped_keys w SET wrapped_key = k.wrapped_key FROM key_rotation_keys k
        WHERE k.address = $1 AND k.wrapped_key_id = w.id AND w.recipient = $1`,
      [address],
    );
    // The wrapped key in front of each sealed row is replaced; the ciphertext behind it stays byte for byte.
    for (const sql of [
      `UPDATE emergency_configs t SET sealed_scope = s.wrapped_key || substring(t.sealed_scope FROM 82) FROM key_rotation_sealed s
        WHERE s.address = $1 AND s.kind = 'emergency_scope' AND t.patient = $1 AND t.key_version::text = s.ref`,
      `UPDATE emergency_notes t SET sealed_note = s.wrapped_key || substring(t.sealed_note FROM 82) FROM key_rotation_sealed s
        WHERE s.address = $1 AND s.kind = 'emergency_note' AND t.recipient = $1 AND t.request_id::text = s.ref`,
      `UPDATE access_requests t SET reason_key_patient = s.wrapped_key FROM key_rotation_sealed s
        WHERE s.address = $1 AND s.kind = 'request_reason_patient' AND t.patient = $1 AND t.id::text = s.ref`,
      `UPDATE access_requests t SET reason_key_doctor = s.wrapped_key FROM key_rotation_sealed s
        WHERE s.address = $1 AND s.kind = 'request_reason_doctor' AND t.doctor = $1 AND t.id::text = s.ref`,
    ]) {
      await client.query(sql, [address]);
    }
    let profileSwapped = false;
    if (row.profile_wrapped_key !== null) {
      profileSwapped = ((await client.query("UPDATE profiles SET wrapped_key = $2, updated_at = now() WHERE address = $1", [address, row.profile_wrapped_key])).rowCount ?? 0) > 0;
    }
    await client.query(
      `INSERT INTO users (address, encryption_public_key) VALUES ($1, $2)
       ON CONFLICT (address) DO UPDATE SET encryption_public_key = EXCLUDED.encryption_public_key, updated_at = now()`,
      [address, Buffer.from(newPublicKey)],
    );
    await client.query("DELETE FROM key_rotations WHERE address = $1", [address]);
    return { outcome: "swapped", swapped: swapped.rowCount ?? 0, profile: profileSwapped };
  });
}

/** Drops `address`'s open rotation and its staged keys; false when there was none. */
export async function deleteKeyRotation(address: string): Promise<boolean> {
  const result = await dbQuery("DELETE FROM key_rotations WHERE address = $1", [address]);
  return (result.rowCount ?? 0) > 0;
}
