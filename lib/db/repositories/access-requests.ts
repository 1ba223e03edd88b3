import "server-only";
import { dbQuery } from "./query";

export type AccessRequestStatus = "pending" | "approved" | "declined" | "withdrawn";

export interface AccessRequestRow {
  id: string;
  doctor: `0x${string}`;
  patient: `0x${string}`;
  allRecords: boolean;
  categories: string[];
  /** Unix seconds, 0 = no expiry. */
  proposedExpiry: number;
  encryptedReason: Uint8Array;
  reasonKeyPatient: Uint8Array;
  reasonKeyDoctor: Uint8Array;
  status: AccessRequestStatus;
  createdAt: Date;
  decidedAt: Date | null;
}

interface DbAccessRequest {
  id: string;
  doctor: `0x${string}`;
  patient: `0x${string}`;
  all_records: boolean;
  categories: string[];
  proposed_expiry: string;
  encrypted_reason: Buffer;
  reason_key_patient: Buffer;
  reason_key_doctor: Buffer;
  status: AccessRequestStatus;
  created_at: Date;
  decided_at: Date | null;
}

const COLUMNS =
  "id, doctor, patient, all_records, categories, proposed_expiry::text AS proposed_expiry, encrypted_reason, reason_key_patient, reason_key_doctor, status, created_at, decided_at";

function reshape(row: DbAccessRequest): AccessRequestRow {
  return {
    id: row.id,
    doctor: row.doctor,
    patient: row.patient,
    allRecords: row.all_records,
    categories: row.categories,
    proposedExpiry: Number(row.proposed_expiry),
    encryptedReason: row.encrypted_reason,
    reasonKeyPatient: row.reason_key_patient,
    reasonKeyDoctor: row.reason_key_doctor,
    status: row.status,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}

export type NewAccessRequest = Omit<AccessRequestRow, "status" | "createdAt" | "decidedAt">;

/** Inserts a pending request; a second open one for the same doctor and patient is a unique violation (23505). */
export async function insertAccessRequest(request: NewAccessRequest): Promise<AccessRequestRow> {
  const result = await dbQuery<DbAccessRequest>(
    `INSERT INTO access_requests (id, doctor, patient, all_records, categories, proposed_expiry, encrypted_reason, reason_key_patient, reason_key_doctor)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      request.id,
      request.doctor,
      request.patient,
      request.allRecords,
      request.categories,
      request.proposedExpiry,
      Buffer.from(request.encryptedReason),
      Buffer.from(request.reasonKeyPatient),
      Buffer.from(request.reasonKeyDoctor),
    ],
  );
  return reshape(result.rows[0]!);
}

export async function findAccessRequest(id: string): Promise<AccessRequestRow | undefined> {
  const result = await dbQuery<DbAccessRequest>(`SELECT ${COLUMNS} FROM access_requests WHERE id = $1`, [id]);
  return result.rows[0] && reshape(result.rows[0]);
}

/** The patient's pending requests, newest first. */
export async function pendingRequestsToPatient(patient: string): Promise<AccessRequestRow[]> {
  const result = await dbQuery<DbAccessRequest>(`SELECT ${COLUMNS} FROM access_requests WHERE patient = $1 AND status = 'pending' ORDER BY created_at DESC, id`, [patient]);
  return result.rows.map(reshape);
}

/** Every request the doctor made, newest first, at most `limit`. */
export async function requestsByDoctor(doctor: string, limit: number): Promise<AccessRequestRow[]> {
  const result = await dbQuery<DbAccessRequest>(`SELECT ${COLUMNS} FROM access_requests WHERE doctor = $1 ORDER BY created_at DESC, id LIMIT $2`, [doctor, limit]);
  return result.rows.map(reshape);
}

/**
 * Moves a pending request to `status`; answers the updated row, or undefined when it was no longer pending
 * (someone decided it meanwhile: the WHERE makes the change happen at most once).
 */
export async function decideAccessRequest(id: string, status: Exclude<AccessRequestStatus, "pending">): Promise<AccessRequestRow | undefined> {
  const result = await dbQuery<DbAccessRequest>(
    `UPDATE access_requests SET status = $2, decided_at = now() WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
    [id, status],
  );
  return result.rows[0] && reshape(result.rows[0]);
}
