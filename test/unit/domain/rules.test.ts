import { InsufficientStock, PeriodClosed } from '../../../server/errors';
import { dec } from '../../../server/domain/decimal';
import { assertAvailable, assertOpenPeriod } from '../../../server/domain/stock/rules';

const stock = (onHand: string, allocated: string, requested: string, lot?: string) => ({
  part: 'BOLT-M8',
  location: 'MAIN',
  lot,
  onHand: dec(onHand),
  allocated: dec(allocated),
  requested: dec(requested),
});

const thrown = (fn: () => void): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('assertAvailable', () => {
  test.each([
    ['less than on hand', '10', '0', '9.999999'],
    ['exactly what is on hand', '10', '0', '10'],
    ['exactly what is free after allocations', '10', '4', '6'],
  ])('allows taking %s', (_name, onHand, allocated, requested) => {
    expect(() => assertAvailable(stock(onHand, allocated, requested))).not.toThrow();
  });

  test.each([
    ['more than on hand', stock('10', '0', '12.5'), 'Not enough BOLT-M8 at MAIN: on hand 10, requested 12.5, short by 2.5'],
    ['stock allocated to jobs', stock('10', '4', '7'), 'Not enough BOLT-M8 at MAIN: on hand 10 (4 allocated to jobs), requested 7, short by 1'],
    ['anything when all is allocated', stock('3', '3', '0.5'), 'Not enough BOLT-M8 at MAIN: on hand 3 (3 allocated to jobs), requested 0.5, short by 0.5'],
    ['anything when none is on hand', stock('0', '0', '1'), 'Not enough BOLT-M8 at MAIN: on hand 0, requested 1, short by 1'],
    ['from a lot, naming the lot', stock('2', '0', '5', 'L-2031'), 'Not enough BOLT-M8 (lot L-2031) at MAIN: on hand 2, requested 5, short by 3'],
  ])('refuses taking %s, naming part, location, on hand and short by', (_name, input, message) => {
    const e = thrown(() => assertAvailable(input));
    expect(e).toBeInstanceOf(InsufficientStock);
    const err = e as InsufficientStock;
    expect(err.message).toBe(message);
    expect([err.code, err.status]).toEqual(['insufficient_stock', 422]);
    expect(err.fields).toEqual([{ field: 'quantity', message }]);
  });

  test('reports the shortage against the field it is given', () => {
    const err = thrown(() => assertAvailable(stock('1', '0', '2'), 'lines.3.quantity')) as InsufficientStock;
    expect(err.fields[0].field).toBe('lines.3.quantity');
  });

  test('carries the detail as exact decimal strings', () => {
    const err = thrown(() => assertAvailable(stock('10.5', '0.25', '10.500001'))) as InsufficientStock;
    expect(err.detail).toEqual({ part: 'BOLT-M8', location: 'MAIN', lot: undefined, onHand: '10.5 (0.25 allocated to jobs)', requested: '10.500001', shortBy: '0.250001' });
  });
});

describe('assertOpenPeriod', () => {
  test.each<[string, string | null]>([
    ['2025-03-31', null],
    ['2025-04-01', '2025-03-31'],
    ['2026-01-01', '2025-12-31'],
  ])('allows %s when the lock date is %s', (date, lockDate) => {
    expect(() => assertOpenPeriod(date, lockDate)).not.toThrow();
  });

  test.each([
    ['2025-03-31', '2025-03-31'],
    ['2025-03-30', '2025-03-31'],
    ['2024-12-31', '2025-01-01'],
  ])('refuses %s on or before the lock date %s', (date, lockDate) => {
    const e = thrown(() => assertOpenPeriod(date, lockDate));
    expect(e).toBeInstanceOf(PeriodClosed);
    const err = e as PeriodClosed;
    expect([err.code, err.status]).toEqual(['period_closed', 422]);
    expect(err.message).toBe(`Date ${date} is inside the locked period (lock date ${lockDate}); use a date after ${lockDate}`);
    expect(err.fields[0].field).toBe('occurred_on');
  });
});
