import { getAllRecords, getRecordsPage, recordCount, type BrowserChain, type ChainRecord } from "@/lib/chain/client";
import { wrapKeyReady } from "@/lib/crypto/wrap-key";
import type { UnlockedKey } from "@/lib/keystore";
import * as api from "./api";
import { openJson, unwrapDataKey } from "./envelope";
import { recordMetadataSchema, type RecordMetadata } from "./metadata";

/** One row of "My records": the chain's record plus what the browser could decrypt about it. */
export type RecordEntry =
  | { status: "ok"; chain: ChainRecord; metadata: RecordMetadata; wrappedKey: string; cid: string }
  | { status: "unavailable"; chain: ChainRecord; reason: string };

/** Every record from the chain (newest first) joined with the key store's encrypted metadata, decrypted here. */
export async function loadMyRecords(chain: BrowserChain, key: UnlockedKey): Promise<RecordEntry[]> {
  return decryptEntries(await getAllRecords(chain, key.address), key);
}

/**
 * How many records the first page of "My records" shows; "Load more" adds as many again. Ten, like "My
 * patients": each record on a page costs a few milliseconds of the chain's getRecords (about 4 ms on the
 * embedded Ganache, which runs every opcode of an eth_call through its step hook), so the page, not the
 * history, sets how long the list takes to appear.
 */
export const RECORDS_PAGE_SIZE = 10;

export interface RecordsPage {
  /** Newest first. */
  entries: RecordEntry[];
  /** The chain index the next (older) page ends before; 0 when this page reaches the first record. */
  next: number;
  /** The patient's record count on chain when the first page was read. */
  total: number;
}

/**
 * One page of "My records", newest first: `limit` records before chain index `before` (default: the newest),
 * read from the chain's getRecords, and the key store's metadata of that page only, decrypted here. What it
 * costs follows the page, not the patient's history. A record's id follows from the patient and its index
 * (patient << 96 | index), so the key store is asked for the page, and its answer decrypted, while the chain
 * reads the same page: the user waits for the longer of the two, not for both one after the other. The entries
 * are the chain's records (what opening checks against), each joined with the key store's answer for its id.
 */
export async function loadMyRecordsPage(
  chain: BrowserChain,
  key: UnlockedKey,
  options: { before?: number; limit?: number; total?: number } = {},
): Promise<RecordsPage> {
  const total = options.before === undefined ? Number(await recordCount(chain, key.address)) : (options.total ?? options.before);
  const end = Math.min(options.before ?? total, total);
  const start = Math.max(0, end - (options.limit ?? RECORDS_PAGE_SIZE));
  if (end <= start) return { entries: [], next: start, total };
  const ids = Array.from({ length: end - start }, (_, i) => recordIdOf(key.address, end - 1 - i));
  const [onChain, opened] = await Promise.all([getRecordsPage(chain, key.address, start, end - start), openStored(ids, key)]);
  return { entries: joinEntries(onChain.reverse(), opened), next: start, total };
}

/** The id of the patient's record at chain index `index` (patient << 96 | index), as a decimal string. */
export const recordIdOf = (patient: string, index: number) => ((BigInt(patient) << 96n) | BigInt(index)).toString();

type Opened = { status: "ok"; metadata: RecordMetadata; wrappedKey: string; cid: string } | { status: "unavailable"; reason: string };

/**
 * What the key store holds for the caller on these records (POST /api/records/query: encrypted metadata and
 * the data key wrapped for the caller), decrypted with the caller's key, by record id.
 */
async function openStored(recordIds: readonly string[], key: UnlockedKey): Promise<Map<string, Opened>> {
  // libsodium (loaded by then, as a rule) unwraps each data key several times faster than tweetnacl.
  const [{ records, unavailable }] = await Promise.all([api.queryRecords([...recordIds]), wrapKeyReady()]);
  const opened = new Map<string, Opened>();
  for (const entry of unavailable) {
    opened.set(entry.recordId, { status: "unavailable", reason: entry.reason === "forbidden" ? "The key store refused this record." : "The key store has no key for this record." });
  }
  for (const entry of records) {
    let dataKey: Uint8Array | undefined;
    try {
      dataKey = unwrapDataKey(entry.wrappedKey, key.secretKey);
      const metadata = openJson(recordMetadataSchema, dataKey, entry.encryptedMetadata);
      opened.set(entry.recordId, { status: "ok", metadata, wrappedKey: entry.wrappedKey, cid: entry.cid });
    } catch {
      opened.set(entry.recordId, { status: "unavailable", reason: "This record's details could not be decrypted with your key." });
    } finally {
      dataKey?.fill(0);
    }
  }
  return opened;
}

/** The chain's records, in their order, each with the key store's decrypted answer for its id. */
function joinEntries(onChain: readonly ChainRecord[], opened: ReadonlyMap<string, Opened>): RecordEntry[] {
  return onChain.map((record): RecordEntry => {
    const entry = opened.get(record.recordId) ?? { status: "unavailable", reason: "The key store has no key for this record." };
    return entry.status === "ok" ? { ...entry, chain: record } : { status: "unavailable", chain: record, reason: entry.reason };
  });
}

/**
 * Chain records joined with what the key store holds for the caller (POST /api/records/query: encrypted
 * metadata and the data key wrapped for the caller), decrypted with the caller's key, in the given order.
 * Used by the patient for their own records and by a doctor for the records shared with them.
 */
export async function decryptEntries(onChain: ChainRecord[], key: UnlockedKey): Promise<RecordEntry[]> {
  if (onChain.length === 0) return [];
  return joinEntries(onChain, await openStored(onChain.map((record) => record.recordId), key));
}

export interface RecordFilter {
  category: string;
  hospital: string;
  /** YYYY-MM-DD; a record matches when its stay overlaps [from, to]. */
  from: string;
  to: string;
  text: string;
}

export const EMPTY_FILTER: RecordFilter = { category: "", hospital: "", from: "", to: "", text: "" };

/** Filters and searches decrypted metadata, all in the browser. */
export function filterRecords<E extends RecordEntry>(entries: E[], filter: RecordFilter): E[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((entry) => {
    if (entry.status !== "ok") return !filter.category && !filter.hospital && !filter.from && !filter.to && words.length === 0;
    const m = entry.metadata;
    if (filter.category && m.category !== filter.category) return false;
    if (filter.hospital && m.hospital !== filter.hospital) return false;
    if (filter.from && m.dischargeDate < filter.from) return false;
    if (filter.to && m.admissionDate > filter.to) return false;
    const haystack = [m.title, m.hospital, m.reason, m.fileName, m.category].join(" ").toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/** An existing record with the same plaintext (by SHA-256), if any. */
export function findDuplicate(entries: RecordEntry[], sha256: string): Extract<RecordEntry, { status: "ok" }> | undefined {
  return entries.find((entry): entry is Extract<RecordEntry, { status: "ok" }> => entry.status === "ok" && entry.metadata.sha256 === sha256);
}

export const hospitalsOf = (entries: readonly RecordEntry[]) =>
  [...new Set(entries.flatMap((entry) => (entry.status === "ok" ? [entry.metadata.hospital] : [])))].sort((a, b) => a.localeCompare(b));

/** The patient a record id belongs to (its top 160 bits), lower case. */
export function patientOfRecord(recordId: string): string {
  return `0x${(BigInt(recordId) >> 96n).toString(16).padStart(40, "0")}`;
}

/**
 * Who added a record, as `viewer` should read it, or undefined when there is nothing to say (a patient's
 * own record seen by that patient).
 */
export function authorLabel(record: Pick<ChainRecord, "recordId" | "author">, viewer?: string): string | undefined {
  const patient = patientOfRecord(record.recordId);
  const author = record.author.toLowerCase();
  const me = viewer?.toLowerCase();
  if (author === patient) return me && me !== patient ? "Added by the patient" : undefined;
  if (author === me) return "Added by you";
  return `Added by doctor ${author}`;
}
