"use client";

import { useId, useMemo, useState, type ReactNode } from "react";
import { categoryLabel, EMPTY_FILTER, formatBytes, RECORD_CATEGORIES, type RecordEntry, type RecordFilter } from "@/lib/records/client";
import { authorLabel, filterRecords, hospitalsOf } from "@/lib/records/client/list";
import { Button } from "@/components/ui/Button";
import type { MoreRecords } from "./useMyRecords";

type Ok<E extends RecordEntry> = Extract<E, { status: "ok" }>;

/**
 * A list of decrypted records with category / hospital / date filters and a text search, all in the
 * browser; role-neutral (the patient's own records, or a patient's records shared with a doctor).
 * `viewer` (the signed-in address) words the author line; `details` adds lines per record (e.g. expiry);
 * `empty` replaces the patient's empty state. With `more`, the list is the newest pages of a longer history
 * and ends with "Load more"; filters and search then apply to the records loaded so far.
 */
export function RecordList<E extends RecordEntry>({
  entries,
  onOpen,
  onAdd,
  viewer,
  details,
  empty,
  more,
}: {
  entries: E[];
  onOpen: (entry: Ok<E>) => void;
  onAdd?: () => void;
  viewer?: string;
  details?: (entry: E) => ReactNode;
  empty?: ReactNode;
  more?: MoreRecords;
}) {
  const id = useId();
  const [filter, setFilter] = useState<RecordFilter>(EMPTY_FILTER);
  const shown = useMemo(() => filterRecords(entries, filter), [entries, filter]);
  const hospitals = useMemo(() => hospitalsOf(entries), [entries]);
  const set = (field: keyof RecordFilter) => (event: { target: { value: string } }) => setFilter({ ...filter, [field]: event.target.value });

  if (entries.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center" data-testid="records-empty">
        {empty ?? (
          <>
            <p className="font-medium">You have no records yet.</p>
            <p className="mt-1 text-sm text-slate-600">
              Add your first one with <strong>Upload a PDF</strong>: choose the PDF, fill in the hospital, the reason for the visit and the dates.
              It is encrypted in this browser before it is stored.
            </p>
            {onAdd && (
              <Button className="mt-3" onClick={onAdd}>
                Upload a PDF
              </Button>
            )}
          </>
        )}
      </div>
    );
  }

  const input = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";
  return (
    <div className="space-y-4">
      <div role="search" className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-6">
        <div className="sm:col-span-2">
          <label htmlFor={`${id}-text`} className="block text-sm font-medium">
            Search
          </label>
          <input id={`${id}-text`} type="search" className={input} value={filter.text} onChange={set("text")} placeholder="Title, hospital, reason, file name" />
        </div>
        <div>
          <label htmlFor={`${id}-category`} className="block text-sm font-medium">
            Category
          </label>
          <select id={`${id}-category`} className={input} value={filter.category} onChange={set("category")}>
            <option value="">All categories</option>
            {RECORD_CATEGORIES.map((category) => (
              <option key={category.value} value={category.value}>
                {category.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-hospital`} className="block text-sm font-medium">
            Hospital
          </label>
          <select id={`${id}-hospital`} className={input} value={filter.hospital} onChange={set("hospital")}>
            <option value="">All hospitals</option>
            {hospitals.map((hospital) => (
              <option key={hospital} value={hospital}>
                {hospital}
              </option>
            ))}
          </select>
        </div>
        <div className="grid grid-cols-2 gap-2 sm:col-span-2">
          <div>
            <label htmlFor={`${id}-from`} className="block text-sm font-medium">
              From
            </label>
            <input id={`${id}-from`} type="date" className={input} value={filter.from} onChange={set("from")} />
          </div>
          <div>
            <label htmlFor={`${id}-to`} className="block text-sm font-medium">
              To
            </label>
            <input id={`${id}-to`} type="date" className={input} value={filter.to} onChange={set("to")} />
          </div>
        </div>
      </div>
      <p className="text-sm text-slate-600" aria-live="polite" data-testid="records-count">
        {shown.length === entries.length ? `${entries.length} record${entries.length === 1 ? "" : "s"}` : `${shown.length} of ${entries.length} records match`}
        {more && ` (the newest; ${more.remaining} older not loaded yet)`}
      </p>
      {shown.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm" data-testid="records-no-match">
          No record matches these filters.{" "}
          <Button variant="link" onClick={() => setFilter(EMPTY_FILTER)}>
            Clear filters
          </Button>
        </div>
      ) : (
        <ul className="space-y-3" data-testid="records-list">
          {shown.map((entry) => {
            const author = authorLabel(entry.chain, viewer);
            return (
              <li key={entry.chain.recordId} data-testid="record-item" data-record-id={entry.chain.recordId} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                {entry.status === "ok" ? (
                  <div className="flex flex-wrap items-start justify-between gap-3">
                    <div className="min-w-0 space-y-1">
                      <h3 className="font-semibold" data-testid="record-title">
                        {entry.metadata.title}
                      </h3>
                      <p className="text-sm text-slate-700">
                        {categoryLabel(entry.metadata.category)} · {entry.metadata.hospital} · {entry.metadata.admissionDate} to {entry.metadata.dischargeDate}
                      </p>
                      <p className="text-sm text-slate-600">{entry.metadata.reason}</p>
                      <p className="text-xs text-slate-500">
                        {entry.metadata.fileName} · {formatBytes(entry.metadata.size)}
                        {entry.chain.supersededBy !== "0" ? " · superseded by a newer version" : ""}
                      </p>
                      {author && (
                        <p className="break-all text-xs text-slate-600" data-testid="record-author">
                          {author}
                        </p>
                      )}
                      {details?.(entry)}
                    </div>
                    <Button onClick={() => onOpen(entry as Ok<E>)} aria-label={`Open ${entry.metadata.title}`}>
                      Open
                    </Button>
                  </div>
                ) : (
                  <div className="space-y-1">
                    <p className="text-sm text-slate-600">
                      Record #{entry.chain.index + 1}: {entry.reason}
                    </p>
                    {author && (
                      <p className="break-all text-xs text-slate-600" data-testid="record-author">
                        {author}
                      </p>
                    )}
                    {details?.(entry)}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {more && (
        <div className="flex flex-wrap items-center gap-3" data-testid="records-more">
          <Button variant="secondary" onClick={more.onLoadMore} disabled={more.loading}>
            {more.loading ? "Loading older records…" : "Load more"}
          </Button>
          {more.error && (
            <p role="alert" className="text-sm text-red-700">
              {more.error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
