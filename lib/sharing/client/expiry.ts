// Grant expiries: unix seconds on chain and in the API, 0 = never.

/** What the patient picks: no expiry, a preset number of days from now, or the end of a chosen day. */
export type ExpiryChoice = { kind: "never" } | { kind: "days"; days: number } | { kind: "date"; date: string };

export const EXPIRY_PRESET_DAYS = [1, 7, 30] as const;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The end (23:59:59, this browser's time zone) of a YYYY-MM-DD day, in unix seconds, or undefined if invalid. */
function endOfDay(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const end = new Date(year, month - 1, day, 23, 59, 59);
  if (end.getFullYear() !== year || end.getMonth() !== month - 1 || end.getDate() !== day) return undefined;
  return Math.floor(end.getTime() / 1000);
}

/** The expiry to send on chain for a choice, or an error to show next to the picker. */
export function expiryFromChoice(choice: ExpiryChoice, now = nowSeconds()): { expiresAt: number } | { error: string } {
  switch (choice.kind) {
    case "never":
      return { expiresAt: 0 };
    case "days":
      return { expiresAt: now + choice.days * 86_400 };
    case "date": {
      if (!choice.date) return { error: "Choose the last day of access." };
      const expiresAt = endOfDay(choice.date);
      if (expiresAt === undefined) return { error: "Enter a valid date." };
      if (expiresAt <= now) return { error: "Choose a day in the future." };
      return { expiresAt };
    }
  }
}

export const isExpired = (expiresAt: number, now = nowSeconds()) => expiresAt !== 0 && expiresAt <= now;

/** "12 Dec 2026, 14:05" in this browser's locale and time zone. */
export const formatTime = (seconds: number) => new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "no expiry", "until 12 Dec 2026, 14:05" or "expired on 12 Dec 2026, 14:05". */
export function describeExpiry(expiresAt: number, now = nowSeconds()): string {
  if (expiresAt === 0) return "no expiry";
  return `${isExpired(expiresAt, now) ? "expired on" : "until"} ${formatTime(expiresAt)}`;
}
