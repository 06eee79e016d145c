import type { XeroAnswer } from './api';

/**
 * Per connection, in this process: when it may call Xero again, and the calls Xero says are left
 * today. A 429's Retry-After, X-MinLimit-Remaining reaching 0, or X-DayLimit-Remaining reaching 0
 * set a pause, so the next calls wait instead of spending themselves on 429s. Another process
 * learns the same from its own next answer.
 */
const pausedUntil = new Map<string, number>();
/** When this process's calls of the last minute were answered, oldest first. */
const recentCalls = new Map<string, number[]>();
const dayRemaining = new Map<string, { left: number; seenAt: number }>();
const MINUTE_MS = 60_000;
/** Xero's day limit is a rolling 24 hours: look again in an hour rather than guess the reset. */
const DAY_PAUSE_MS = 60 * MINUTE_MS;
/**
 * How long X-DayLimit-Remaining is believed. The day is a rolling 24 hours, so calls made a day
 * ago keep coming back into the allowance: after an hour the figure is too old to act on, and a
 * connection held back by it (on a quiet weekend nothing else asks Xero) is let through to ask
 * again, which brings a fresh figure.
 */
export const DAY_FIGURE_TTL_MS = 60 * MINUTE_MS;

export function pausedFor(connectionId: string, now: number): number {
  return (pausedUntil.get(connectionId) ?? 0) - now;
}

function notePause(connectionId: string, until: number): void {
  pausedUntil.set(connectionId, Math.max(until, pausedUntil.get(connectionId) ?? 0));
}

/** A 429's Retry-After (seconds), or a minute when it gives none. */
export function retryAfterMs(a: Pick<XeroAnswer, 'headers'>): number {
  const seconds = Number(a.headers['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : MINUTE_MS;
}

export function noteLimits(connectionId: string, a: Pick<XeroAnswer, 'status' | 'headers'>, now: number): void {
  const calls = (recentCalls.get(connectionId) ?? []).filter((at) => at > now - MINUTE_MS);
  calls.push(now);
  recentCalls.set(connectionId, calls);
  const day = Number(a.headers['x-daylimit-remaining']);
  if (a.headers['x-daylimit-remaining'] !== undefined && Number.isFinite(day)) dayRemaining.set(connectionId, { left: day, seenAt: now });
  if (a.status === 429) {
    notePause(connectionId, now + retryAfterMs(a));
  } else if (a.headers['x-daylimit-remaining'] === '0') {
    notePause(connectionId, now + DAY_PAUSE_MS);
  } else if (a.headers['x-minlimit-remaining'] === '0') {
    notePause(connectionId, minuteFrees(calls));
  }
}

/**
 * Xero's minute is a rolling 60 seconds: a call comes back into the allowance a minute after it
 * was made. The oldest call this process remembers in the window frees the first place (a call
 * is remembered when answered, a little after Xero counted it, so this is never too early);
 * a flat minute from the last call would leave a quarter of the allowance unused.
 */
function minuteFrees(calls: number[]): number {
  return calls[0] + MINUTE_MS;
}

/**
 * Calls Xero said are left today for this connection, if it said so within the last hour
 * (undefined before the first answer, and once the figure is older than DAY_FIGURE_TTL_MS).
 * Pulls stop while fewer than PULL_RESERVE remain, so journals keep flowing on a small tier
 * (1,000 calls a day) after a large first sync.
 */
export function callsLeftToday(connectionId: string, now: number = Date.now()): number | undefined {
  const seen = dayRemaining.get(connectionId);
  if (!seen || now - seen.seenAt > DAY_FIGURE_TTL_MS) return undefined;
  return seen.left;
}

export const PULL_RESERVE = 200;

/** Tests start each case with no remembered pauses. */
export function forgetLimits(): void {
  pausedUntil.clear();
  recentCalls.clear();
  dayRemaining.clear();
}
