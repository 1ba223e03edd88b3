// Pure helpers of the visit timeline (no React): entries in order, the visible range, positions, counts.

export interface TimelineItem {
  id: string;
  title: string;
  hospital: string;
  category: string;
  /** YYYY-MM-DD */
  admissionDate: string;
  /** YYYY-MM-DD */
  dischargeDate: string;
}

const DAY_MS = 86_400_000;
const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** Days of a stay, both ends included (a same-day visit is 1 day). */
export const stayDays = (item: Pick<TimelineItem, "admissionDate" | "dischargeDate">) => Math.max(1, Math.round(dayOf(item.dischargeDate) - dayOf(item.admissionDate)) + 1);

/** Oldest first by admission, then discharge, then title. */
export const chronological = <T extends TimelineItem>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => a.admissionDate.localeCompare(b.admissionDate) || a.dischargeDate.localeCompare(b.dischargeDate) || a.title.localeCompare(b.title));

/** Every year any stay touches, ascending. */
export function yearsOf(items: readonly TimelineItem[]): number[] {
  const years = new Set<number>();
  for (const item of items) {
    const from = Number(item.admissionDate.slice(0, 4));
    const to = Number(item.dischargeDate.slice(0, 4));
    for (let year = from; year <= Math.max(from, to); year++) years.add(year);
  }
  return [...years].sort((a, b) => a - b);
}

/** The visible range in days since the epoch: [first day, day after the last]; one year or all years. */
export function rangeOf(items: readonly TimelineItem[], year?: number): { start: number; end: number } {
  const years = year === undefined ? yearsOf(items) : [year];
  const first = years[0] ?? new Date().getUTCFullYear();
  const last = years[years.length - 1] ?? first;
  return { start: dayOf(`${first}-01-01`), end: dayOf(`${last + 1}-01-01`) };
}

/** The stays visible in a range (overlapping it), clipped: left and width in percent of the range. */
export function place(item: TimelineItem, range: { start: number; end: number }): { left: number; width: number } | undefined {
  const from = dayOf(item.admissionDate);
  const to = dayOf(item.dischargeDate) + 1;
  if (to <= range.start || from >= range.end) return undefined;
  const span = range.end - range.start;
  const left = ((Math.max(from, range.start) - range.start) / span) * 100;
  const width = ((Math.min(to, range.end) - Math.max(from, range.start)) / span) * 100;
  return { left, width };
}

/** Hospitals in the order of their first stay. */
export const hospitalsInOrder = (items: readonly TimelineItem[]) => [...new Set(chronological(items).map((item) => item.hospital))];

/** Per year (of admission): the number of records of each category, and the total. */
export function countsByYear(items: readonly TimelineItem[], categories: readonly string[]): ({ year: number; total: number } & Record<string, number>)[] {
  const rows = new Map<number, { year: number; total: number } & Record<string, number>>();
  for (const item of items) {
    const year = Number(item.admissionDate.slice(0, 4));
    const row = rows.get(year) ?? ({ year, total: 0, ...Object.fromEntries(categories.map((category) => [category, 0])) } as { year: number; total: number } & Record<string, number>);
    row[item.category] = (row[item.category] ?? 0) + 1;
    row.total += 1;
    rows.set(year, row);
  }
  return [...rows.values()].sort((a, b) => a.year - b.year);
}
