import { ACCOUNT_FAILURES, ADDRESS_FAILURES, waitAfter, waitInWords } from '../../../server/domain/auth/attempt-limits';

describe('attempt limits', () => {
  it.each([
    [4, 0], [5, 1_000], [6, 2_000], [10, 32_000], [11, 60_000], [20, 60_000], [10_000, 60_000],
  ])('makes an email wait after its %i-th failure: %i ms, never more than a minute', (failures, ms) => {
    expect(waitAfter(failures, ACCOUNT_FAILURES)).toBe(ms);
  });

  it.each([[19, 0], [20, 60_000], [21, 120_000], [24, 600_000], [100, 600_000]])(
    'makes an address wait after its %i-th failure: %i ms',
    (failures, ms) => expect(waitAfter(failures, ADDRESS_FAILURES)).toBe(ms),
  );

  it.each([[1, '1 second'], [1_001, '2 seconds'], [59_000, '59 seconds'], [60_000, '1 minute'], [61_000, '2 minutes'], [600_000, '10 minutes']])(
    'says a wait of %i ms as "%s" (rounded up)',
    (ms, words) => expect(waitInWords(ms)).toBe(words),
  );
});
