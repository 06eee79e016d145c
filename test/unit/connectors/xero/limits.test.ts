import { callsLeftToday, DAY_FIGURE_TTL_MS, forgetLimits, noteLimits, pausedFor } from '../../../../server/connectors/xero/limits';

const T0 = Date.parse('2026-11-28T09:00:00Z'); // a Saturday
const answer = (headers: Record<string, string>, status = 200) => ({ status, headers });

beforeEach(() => forgetLimits());

describe("Xero's day allowance, as remembered between calls", () => {
  it('is unknown before Xero has answered', () => {
    expect(callsLeftToday('c1', T0)).toBeUndefined();
  });

  it('is what the last answer said, for an hour after it', () => {
    noteLimits('c1', answer({ 'x-daylimit-remaining': '150' }), T0);
    expect(callsLeftToday('c1', T0)).toBe(150);
    expect(callsLeftToday('c1', T0 + DAY_FIGURE_TTL_MS)).toBe(150);
    expect(callsLeftToday('c2', T0)).toBeUndefined();
  });

  it('is unknown again once the figure is more than an hour old: the day is a rolling 24 hours, and nothing else may ask Xero on a quiet weekend', () => {
    noteLimits('c1', answer({ 'x-daylimit-remaining': '150' }), T0);
    expect(callsLeftToday('c1', T0 + DAY_FIGURE_TTL_MS + 1)).toBeUndefined();
    expect(DAY_FIGURE_TTL_MS).toBe(60 * 60_000);
  });

  it('is refreshed by every answer that carries it, and kept through answers that do not', () => {
    noteLimits('c1', answer({ 'x-daylimit-remaining': '150' }), T0);
    noteLimits('c1', answer({}), T0 + 30 * 60_000);
    expect(callsLeftToday('c1', T0 + 61 * 60_000)).toBeUndefined();
    noteLimits('c1', answer({ 'x-daylimit-remaining': '900' }), T0 + 50 * 60_000);
    expect(callsLeftToday('c1', T0 + 100 * 60_000)).toBe(900);
  });

  it('pauses calls for an hour when it reaches 0, and for Retry-After on a 429', () => {
    noteLimits('c1', answer({ 'x-daylimit-remaining': '0' }), T0);
    expect(pausedFor('c1', T0)).toBe(60 * 60_000);
    noteLimits('c2', answer({ 'retry-after': '7' }, 429), T0);
    expect(pausedFor('c2', T0)).toBe(7000);
  });
});

describe("Xero's minute allowance, a rolling 60 seconds", () => {
  it('pauses, once the minute is spent, only until the oldest call of the last minute falls out of it', () => {
    // 60 calls over 30 s: the first one comes back into the allowance 30 s after the last.
    for (let i = 0; i < 60; i++) noteLimits('c1', answer({ 'x-minlimit-remaining': String(59 - i) }), T0 + i * 500);
    const last = T0 + 59 * 500;
    expect(pausedFor('c1', last)).toBe(T0 + 60_000 - last);
  });

  it('forgets calls more than a minute old', () => {
    noteLimits('c1', answer({ 'x-minlimit-remaining': '5' }), T0);
    noteLimits('c1', answer({ 'x-minlimit-remaining': '0' }), T0 + 70_000);
    expect(pausedFor('c1', T0 + 70_000)).toBe(60_000);
  });
});
