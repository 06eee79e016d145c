import type { XeroAnswer } from './api';

/**
 * Per connection, in this process: when it may call Xero again, and the calls Xero says are left
 * today. A 429's Retry-After, X-MinLimit-Remaining reaching 0, or X-DayLimit-Remaining reaching 0
 * set a pause, so the next calls wait instead of spending themselves on 429s. Another process
 * learns the same from its own next answer.
 */
const pausedUntil = new Map<string, number>();
const dayRemaining = new Map<string, number>();
const MINUTE_MS = 60_000;
/** Xero's day limit is a rolling 24 hours: look again in an hour rather than guess the reset. */
const DAY_PAUSE_MS = 60 * MINUTE_MS;

export function pausedFor(connectionId: string, now: number): number {
  return (pausedUntil.get(connectionId) ?? 0) - now;
}

export function notePause(connectionId: string, until: number): void {
  pausedUntil.set(connectionId, Math.max(until, pausedUntil.get(connectionId) ?? 0));
}

export function noteLimits(connectionId: string, a: Pick<XeroAnswer, 'status' | 'headers'>, now: number): void {
  const day = Number(a.headers['x-daylimit-remaining']);
  if (a.headers['x-daylimit-remaining'] !== undefined && Number.isFinite(day)) dayRemaining.set(connectionId, day);
  if (a.status === 429) {
    const seconds = Number(a.headers['retry-after']);
    notePause(connectionId, now + (Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : MINUTE_MS));
  } else if (a.headers['x-daylimit-remaining'] === '0') {
    notePause(connectionId, now + DAY_PAUSE_MS);
  } else if (a.headers['x-minlimit-remaining'] === '0') {
    notePause(connectionId, now + MINUTE_MS);
  }
}

/**
 * Calls Xero last said are left today for this connection (undefined before the first answer).
 * Pulls stop while fewer than PULL_RESERVE remain, so journals keep flowing on a small tier
 * (1,000 calls a day) after a large first sync.
 */
export function callsLeftToday(connectionId: string): number | undefined {
  return dayRemaining.get(connectionId);
}

export const PULL_RESERVE = 200;

/** Tests start each case with no remembered pauses. */
export function forgetLimits(): void {
  pausedUntil.clear();
  dayRemaining.clear();
}
