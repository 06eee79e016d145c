import { dec } from '../../../server/domain/decimal';
import { Layer, LIFO_REFUSED_REASON, ReportingFramework, ValuationMethod, drawFromLayers, inRecordedOrder, methodRefusal } from '../../../server/domain/costing';
import { CLASSIC, FOUR_PRICES, LayerBook, Step, replay } from './layer-book';

describe('LIFO costing', () => {
  // Worked by hand (perpetual LIFO): each issue takes the newest receipts on hand at the time.
  test.each<[string, Step[], string[], string, string, string[]]>([
    // 150 = 150 @ 11 = 1650; 180 = 100 @ 12 + 50 @ 11 + 30 @ 10 = 2050; left 70 @ 10 = 700
    ['the classic exercise', CLASSIC, ['1650', '2050'], '70', '700', ['L1 70/700']],
    // 250 = 250 @ 5.5 = 1375; 350 = 350 @ 6 = 2100; 300 = 100 @ 6.25 + 50 @ 6 + 50 @ 5.5 + 100 @ 5 = 1700; left 100 @ 5
    ['four purchase prices', FOUR_PRICES, ['1375', '2100', '1700'], '100', '500', ['L1 100/500']],
  ])('costs each issue of %s from the newest layers first', (_name, steps, issueCosts, closingQty, closingValue, open) => {
    const book = new LayerBook('lifo');
    expect(replay(book, steps)).toEqual(issueCosts);
    expect(book.qty).toBe(closingQty);
    expect(book.value).toBe(closingValue);
    expect(book.open).toEqual(open);
  });

  test('an issue reaching back through several layers takes them newest first', () => {
    const book = new LayerBook('lifo');
    replay(book, FOUR_PRICES.slice(0, -1));
    const { draws } = book.issue('300');
    expect(draws.map((d) => [d.layerId, d.qty.toFixed(), d.value.toFixed()])).toEqual([
      ['L4', '100', '625'],
      ['L3', '50', '300'],
      ['L2', '50', '275'],
      ['L1', '100', '500'],
    ]);
  });

  test('a transfer carries LIFO draws to their destination in the order the source recorded them', () => {
    const layers: Layer[] = [
      { id: 'at-1.00', seq: 1, remainingQty: dec('10'), remainingValue: dec('10') },
      { id: 'at-2.00', seq: 2, remainingQty: dec('10'), remainingValue: dec('20') },
    ];
    const r = drawFromLayers('lifo', layers, dec('15'));
    if (!r.ok) throw new Error('expected a draw');
    // Drawn newest first (10 x 2.00, then 5 x 1.00), carried oldest first.
    expect(r.draws.map((d) => d.layerId)).toEqual(['at-2.00', 'at-1.00']);
    expect(inRecordedOrder(r.draws, layers).map((d) => [d.layerId, d.qty.toFixed(), d.value.toFixed()])).toEqual([
      ['at-1.00', '5', '5'],
      ['at-2.00', '10', '20'],
    ]);
  });

  test('orders layers by seq, not by their position in the list', () => {
    const layers: Layer[] = [
      { id: 'older', seq: 1, remainingQty: dec('10'), remainingValue: dec('100') },
      { id: 'newer', seq: 2, remainingQty: dec('10'), remainingValue: dec('120') },
    ];
    const r = drawFromLayers('lifo', layers, dec('12'));
    if (!r.ok) throw new Error('expected a draw');
    expect(r.draws.map((d) => [d.layerId, d.qty.toFixed(), d.value.toFixed()])).toEqual([
      ['newer', '10', '120'],
      ['older', '2', '20'],
    ]);
  });

  test('issuing everything after the classic exercise costs exactly what is left', () => {
    const book = new LayerBook('lifo');
    replay(book, CLASSIC);
    expect(book.issue('70').value.toFixed()).toBe('700');
    expect(book.value).toBe('0');
  });
});

describe('methodRefusal', () => {
  test.each<[ValuationMethod, ReportingFramework, string | null]>([
    ['lifo', 'IFRS', LIFO_REFUSED_REASON],
    ['lifo', 'FRS102', LIFO_REFUSED_REASON],
    ['lifo', 'US_GAAP', null],
    ['fifo', 'IFRS', null],
    ['fifo', 'FRS102', null],
    ['fifo', 'US_GAAP', null],
    ['weighted_average', 'IFRS', null],
    ['weighted_average', 'FRS102', null],
    ['weighted_average', 'US_GAAP', null],
  ])('%s under %s is refused with %p', (method, framework, expected) => {
    expect(methodRefusal(method, framework)).toBe(expected);
  });

  test('the refusal names the standards that forbid LIFO', () => {
    expect(LIFO_REFUSED_REASON).toMatch(/IAS 2/);
    expect(LIFO_REFUSED_REASON).toMatch(/FRS 102/);
    expect(LIFO_REFUSED_REASON).toMatch(/US GAAP/);
  });
});
