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
