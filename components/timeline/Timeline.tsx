"use client";

import { useId, useMemo, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { chronological, countsByYear, hospitalsInOrder, place, rangeOf, stayDays, yearsOf, type TimelineItem } from "./timeline-data";

export type { TimelineItem } from "./timeline-data";

/** One colour per category (our five; anything else falls back to slate). */
const COLOURS: Record<string, string> = {
  "lab-result": "#0f766e",
  prescription: "#7c3aed",
  imaging: "#2563eb",
  "discharge-summary": "#b45309",
  other: "#475569",
};
const colourOf = (category: string) => COLOURS[category] ?? "#64748b";

const formatDate = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const spanText = (item: TimelineItem) => {
  const days = stayDays(item);
  return item.admissionDate === item.dischargeDate ? `${formatDate(item.admissionDate)} (1 day)` : `${formatDate(item.admissionDate)} – ${formatDate(item.dischargeDate)} (${days} days)`;
};

/**
 * Stays and visits (admission to discharge) in one lane per hospital, coloured by category, zoomable by year;
 * each entry is a button that opens the record. Below, the counts per year and category as a chart
 * (recharts) with the same numbers as a table. Role-neutral: the patient's records or a patient's shared ones.
 */
export function Timeline({
  items,
  categories,
  onOpen,
  heading = "Timeline",
}: {
  items: readonly TimelineItem[];
  /** Category values and labels, in display order. */
  categories: readonly { value: string; label: string }[];
  onOpen: (id: string) => void;
  heading?: string;
}) {
  const id = useId();
  const [year, setYear] = useState<number>();
  const years = useMemo(() => yearsOf(items), [items]);
  const range = useMemo(() => rangeOf(items, year), [items, year]);
  const ordered = useMemo(() => chronological(items), [items]);
  const hospitals = useMemo(() => hospitalsInOrder(items), [items]);
  const labelOf = (value: string) => categories.find((category) => category.value === value)?.label ?? value;
  const visibleYears = year === undefined ? years : [year];
  const shown = ordered.filter((item) => place(item, range));
  const counts = useMemo(() => countsByYear(year === undefined ? items : items.filter((item) => item.admissionDate.startsWith(`${year}-`)), categories.map((category) => category.value)), [items, categories, year]);
  const usedCategories = categories.filter((category) => items.some((item) => item.category === category.value));

  if (items.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center" data-testid="timeline-empty">
        <p className="font-medium">No records to show on a timeline yet.</p>
      </div>
    );
  }

  return (
    <div className="space-y-6" data-testid="timeline">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Zoom the timeline">
        <span className="text-sm font-medium">Show</span>
        {[undefined, ...years].map((value) => (
          <button
            key={value ?? "all"}
            type="button"
            aria-pressed={year === value}
            onClick={() => setYear(value)}
            className={`rounded-full border px-3 py-1 text-sm ${year === value ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-800 hover:bg-slate-100"}`}
          >
            {value ?? "All years"}
          </button>
        ))}
      </div>

      <section aria-labelledby={`${id}-visits`} className="space-y-2">
        <h3 id={`${id}-visits`} className="text-lg font-semibold">
          {heading}: stays and visits{year === undefined ? "" : ` in ${year}`}
        </h3>
        <p className="text-sm text-slate-600" data-testid="timeline-count">
          {shown.length} of {items.length} record{items.length === 1 ? "" : "s"} shown. Each bar runs from admission to discharge; choose one to open the record.
        </p>
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white p-4">
          <div className="min-w-[36rem]">
            <div className="relative ml-[9.5rem] h-6 border-b border-slate-200 text-xs text-slate-600" aria-hidden="true">
              {visibleYears.map((value) => {
                const at = place({ id: "", title: "", hospital: "", category: "", admissionDate: `${value}-01-01`, dischargeDate: `${value}-01-01` }, range);
                return (
                  <span key={value} className="absolute top-0 border-l border-slate-300 pl-1" style={{ left: `${at?.left ?? 0}%` }}>
                    {value}
                  </span>
                );
              })}
            </div>
            <ul aria-label="Hospitals" className="divide-y divide-slate-100">
              {hospitals.map((hospital) => {
                const stays = shown.filter((item) => item.hospital === hospital);
                return (
                  <li key={hospital} className="flex items-center gap-2 py-2" data-testid="timeline-lane" data-hospital={hospital}>
                    <span className="w-36 shrink-0 truncate text-sm font-medium" title={hospital}>
                      {hospital}
                    </span>
                    <ol className="relative h-8 flex-1" aria-label={`Stays at ${hospital}`}>
                      {stays.map((item) => {
                        const at = place(item, range)!;
                        return (
                          <li key={item.id} className="absolute top-0 h-8" style={{ left: `${at.left}%`, width: `max(${at.width}%, 0.75rem)` }}>
                            <button
                              type="button"
                              data-testid="timeline-entry"
                              data-record-id={item.id}
                              data-start={item.admissionDate}
                              data-end={item.dischargeDate}
                              data-days={stayDays(item)}
                              data-left={at.left.toFixed(4)}
                              data-width={at.width.toFixed(4)}
                              aria-label={`${item.title}: ${labelOf(item.category)} at ${item.hospital}, ${spanText(item)}. Opens the record.`}
                              title={`${item.title} · ${labelOf(item.category)} · ${spanText(item)}`}
                              onClick={() => onOpen(item.id)}
                              className="h-8 w-full rounded-md opacity-90 hover:opacity-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-offset-2 focus-visible:ring-brand-600"
                              style={{ backgroundColor: colourOf(item.category) }}
                            />
                          </li>
                        );
                      })}
                    </ol>
                  </li>
                );
              })}
            </ul>
            <ul className="mt-3 flex flex-wrap gap-3 text-xs" aria-label="Categories">
              {usedCategories.map((category) => (
                <li key={category.value} className="flex items-center gap-1">
                  <span className="inline-block h-3 w-3 rounded-sm" style={{ backgroundColor: colourOf(category.value) }} aria-hidden="true" />
                  {category.label}
                </li>
              ))}
            </ul>
          </div>
        </div>

        <details className="rounded-lg border border-slate-200 bg-white p-4" open>
          <summary className="cursor-pointer text-sm font-medium">The same stays as a list</summary>
          <ol className="mt-2 space-y-1 text-sm" data-testid="timeline-list">
            {shown.map((item) => (
              <li key={item.id} data-testid="timeline-list-item">
                <button type="button" className="text-left text-brand-700 underline hover:text-brand-900" onClick={() => onOpen(item.id)}>
                  {item.title}
                </button>{" "}
                — {labelOf(item.category)}, {item.hospital}, {spanText(item)}
              </li>
            ))}
          </ol>
        </details>
      </section>

      <section aria-labelledby={`${id}-counts`} className="space-y-2">
        <h3 id={`${id}-counts`} className="text-lg font-semibold">
          Records per year and category
        </h3>
        <div className="h-64 rounded-lg border border-slate-200 bg-white p-2" aria-hidden="true" data-testid="timeline-chart">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={counts} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="year" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              {usedCategories.map((category) => (
                <Bar key={category.value} dataKey={category.value} name={category.label} stackId="records" fill={colourOf(category.value)} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
        <table className="w-full border-collapse text-left text-sm" data-testid="timeline-counts">
          <caption className="sr-only">Number of records per year (of admission) and category</caption>
          <thead>
            <tr className="border-b border-slate-200">
              <th scope="col" className="py-1 pr-3">
                Year
              </th>
              {usedCategories.map((category) => (
                <th key={category.value} scope="col" className="py-1 pr-3">
                  {category.label}
                </th>
              ))}
              <th scope="col" className="py-1">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {counts.map((row) => (
              <tr key={row.year} className="border-b border-slate-100" data-testid="timeline-counts-row" data-year={row.year}>
                <th scope="row" className="py-1 pr-3 font-medium">
                  {row.year}
                </th>
                {usedCategories.map((category) => (
                  <td key={category.value} className="py-1 pr-3">
                    {row[category.value] ?? 0}
                  </td>
                ))}
                <td className="py-1">{row.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
