// Business dates are ISO 'YYYY-MM-DD' text: string order is date order, and no time zone applies.

/** A real calendar date in ISO form (not '2026-02-30', not 'epoch', which PostgreSQL would accept). */
export function isIsoDate(text: unknown): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}

/** The day after `today`: the latest business date accepted (a site ahead of UTC is already there). */
export function latestBusinessDate(today: string): string {
  return nextDay(today);
}

export function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The first day a journal can be dated on: its own date, or the day after the lock date. */
export function firstOpenDay(date: string, lockDate: string | null): string {
  return lockDate && date <= lockDate ? nextDay(lockDate) : date;
}
