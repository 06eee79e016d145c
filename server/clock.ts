/** Today's date in UTC as 'YYYY-MM-DD': the one place the app reads the calendar. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
