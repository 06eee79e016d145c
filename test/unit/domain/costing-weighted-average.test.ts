import { dec, sum } from '../../../server/domain/decimal';
import { Layer, applyDraws, drawFromLayers } from '../../../server/domain/costing';
import { CLASSIC, FOUR_PRICES, LayerBook, Step, replay } from './layer-book';

const layer = (id: string, seq: number, qty: string, value: string): Layer => ({ id, seq, remainingQty: dec(qty), remainingValue: dec(value) });

describe('moving weighted average costing', () => {
  // Worked by hand: every receipt re-averages the one open layer; an issue takes value * qty / on hand.
  test.each<[string, Step[], string[], string, string]>([
    // 300 for 3200; 150 issued = 1600; + 100 @ 12 -> 250 for 2800; 180 issued = 2016; left 70 for 784
    ['the classic exercise', CLASSIC, ['1600', '2016'], '70', '784'],
    // 500 for 2650; 250 issued = 1325; + 400 @ 6 -> 650 for 3725; 350 issued = 3725 * 350 / 650 (16 dp);
    // + 100 @ 6.25 -> 400 for 2344.2307692307692308; 300 issued = three quarters of that
    [
      'four purchase prices',
      FOUR_PRICES,
      ['1325', '2005.7692307692307692', '1758.1730769230769231'],
      '100',
      '586.0576923076923077',
    ],
  ])('costs each issue of %s at the moving average', (_name, steps, issueCosts, closingQty, closingValue) => {
    const book = new LayerBook('weighted_average');
    expect(replay(book, steps)).toEqual(issueCosts);
    expect(book.qty).toBe(closingQty);
    expect(book.value).toBe(closingValue);
    expect(book.open).toHaveLength(1);
  });

  test('merges each receipt into the open layer and re-averages its unit cost', () => {
    const book = new LayerBook('weighted_average');
    const first = book.receive('100', '10');
    const second = book.receive('200', '11');
    expect(first).toMatchObject({ kind: 'new' });
    expect(second.kind).toBe('merge');
    if (second.kind !== 'merge') return;
    expect(second.layerId).toBe('L1');
    expect([second.qty.toFixed(), second.value.toFixed(), second.unitCost.toFixed()]).toEqual(['300', '3200', '10.6666666667']);
    book.issue('150');
    const third = book.receive('100', '12');
    expect([third.qty.toFixed(), third.value.toFixed(), third.unitCost.toFixed()]).toEqual(['250', '2800', '11.2']);
    expect(book.open).toEqual(['L1 250/2800']);
  });

  test('rounds the re-averaged unit cost half-up at 10 dp but keeps the layer value exact', () => {
    const book = new LayerBook('weighted_average');
    replay(book, FOUR_PRICES.slice(0, 5)); // 650 for 3725, then 350 issued
    expect(book.value).toBe('1719.2307692307692308');
    const plan = book.receive('100', '6.25');
    expect(plan.unitCost.toFixed()).toBe('5.8605769231');
    expect(plan.value.toFixed()).toBe('2344.2307692307692308');
  });

  test('three units received for 10.00 and issued one at a time cost exactly 10.00 and leave no residue', () => {
    const book = new LayerBook('weighted_average');
    book.receive('2', '4');
    const plan = book.receive('1', '2');
    expect([plan.qty.toFixed(), plan.value.toFixed(), plan.unitCost.toFixed()]).toEqual(['3', '10', '3.3333333333']);
    const costs = ['1', '1', '1'].map((q) => book.issue(q).value.toFixed());
    expect(costs).toEqual(['3.3333333333333333', '3.3333333333333334', '3.3333333333333333']);
    expect(sum(costs.map(dec)).toFixed()).toBe('10');
    expect(book.qty).toBe('0');
    expect(book.value).toBe('0');
  });

  test.each([[['3']], [['2', '1']], [['1', '2']], [['0.5', '2.5']], [['1', '1.5', '0.5']], [['0.000001', '2.999999']]])(
    'issuing 3 units for 10.00 as %j costs exactly 10 in total and leaves zero value',
    (issues) => {
      const book = new LayerBook('weighted_average');
      book.receive('2', '4');
      book.receive('1', '2');
      const total = sum(issues.map((q) => book.issue(q).value));
      expect(total.toFixed()).toBe('10');
      expect(book.qty).toBe('0');
      expect(book.value).toBe('0');
    },
  );

  test('3000 single-unit issues of 3000 units valued 1000.00 cost exactly 1000.00', () => {
    const book = new LayerBook('weighted_average');
    book.receive('1', '1000');
    book.receive('2999', '0');
    let total = dec(0);
    for (let i = 0; i < 3000; i++) total = total.plus(book.issue('1').value);
    expect(total.toFixed()).toBe('1000');
    expect(book.value).toBe('0');
  });

  test('the first receipt after stock runs out starts a fresh layer at its own cost', () => {
    const book = new LayerBook('weighted_average');
    book.receive('2', '4');
    book.receive('1', '2');
    book.issue('3');
    const plan = book.receive('4', '2.5');
    expect(plan.kind).toBe('new');
    expect(book.issue('1').value.toFixed()).toBe('2.5');
    expect(book.open).toEqual(['L2 3/7.5']);
  });

  test('spreads a draw over several open layers pro rata, so the value is exactly the average', () => {
    // Several open layers do not normally arise under average cost, but the function accepts them.
    const layers = [layer('A', 1, '10', '10'), layer('B', 2, '10', '30')];
    const r = drawFromLayers('weighted_average', layers, dec('15'));
    if (!r.ok) throw new Error('expected a draw');
    expect(r.value.toFixed()).toBe('30');
    expect(r.draws.map((d) => [d.layerId, d.qty.toFixed(), d.value.toFixed()])).toEqual([
      ['A', '7.5', '7.5'],
      ['B', '7.5', '22.5'],
    ]);
  });

  test('a draw over several open layers leaves each layer its own cost, never value without quantity', () => {
    const layers = [layer('A', 1, '10', '10'), layer('B', 2, '10', '30')];
    const r = drawFromLayers('weighted_average', layers, dec('10'));
    if (!r.ok) throw new Error('expected a draw');
    expect(r.value.toFixed()).toBe('20');
    const after = applyDraws(layers, r.draws);
    expect(after.map((l) => [l.id, l.remainingQty.toFixed(), l.remainingValue.toFixed()])).toEqual([
      ['A', '5', '5'],
      ['B', '5', '15'],
    ]);
  });
});
