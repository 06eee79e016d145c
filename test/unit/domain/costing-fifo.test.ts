import { dec } from '../../../server/domain/decimal';
import { Layer, applyDraws, drawFromLayers } from '../../../server/domain/costing';
import { CLASSIC, FOUR_PRICES, LayerBook, Step, replay } from './layer-book';

const layer = (id: string, seq: number, qty: string, value: string): Layer => ({ id, seq, remainingQty: dec(qty), remainingValue: dec(value) });

describe('FIFO costing', () => {
  // Worked by hand: each issue takes the oldest receipts first, at their own cost.
  test.each<[string, Step[], string[], string, string, string[]]>([
    // 150 = 100 @ 10 + 50 @ 11 = 1550; 180 = 150 @ 11 + 30 @ 12 = 2010; left 70 @ 12 = 840
    ['the classic exercise', CLASSIC, ['1550', '2010'], '70', '840', ['L3 70/840']],
    // 250 = 200 @ 5 + 50 @ 5.5 = 1275; 350 = 250 @ 5.5 + 100 @ 6 = 1975; 300 = 300 @ 6 = 1800; left 100 @ 6.25
    ['four purchase prices', FOUR_PRICES, ['1275', '1975', '1800'], '100', '625', ['L4 100/625']],
  ])('costs each issue of %s from the oldest layers first', (_name, steps, issueCosts, closingQty, closingValue, open) => {
    const book = new LayerBook('fifo');
    expect(replay(book, steps)).toEqual(issueCosts);
    expect(book.qty).toBe(closingQty);
    expect(book.value).toBe(closingValue);
    expect(book.open).toEqual(open);
  });

  test('keeps one layer per receipt, at the receipt cost', () => {
    const book = new LayerBook('fifo');
    const first = book.receive('100', '10');
    const second = book.receive('200', '11');
    expect([first.kind, second.kind]).toEqual(['new', 'new']);
    expect(book.open).toEqual(['L1 100/1000', 'L2 200/2200']);
  });

  test('splits an issue that spans two layers into one draw per layer', () => {
    const book = new LayerBook('fifo');
    book.receive('100', '10');
    book.receive('200', '11');
    const { draws } = book.issue('150');
    expect(draws.map((d) => [d.layerId, d.qty.toFixed(), d.value.toFixed()])).toEqual([
      ['L1', '100', '1000'],
      ['L2', '50', '550'],
    ]);
  });

  test('orders layers by seq, not by their position in the list', () => {
    const layers = [layer('newer', 2, '10', '120'), layer('older', 1, '10', '100')];
    const r = drawFromLayers('fifo', layers, dec('12'));
    if (!r.ok) throw new Error('expected a draw');
    expect(r.draws.map((d) => [d.layerId, d.qty.toFixed(), d.value.toFixed()])).toEqual([
      ['older', '10', '100'],
      ['newer', '2', '24'],
    ]);
    expect(r.value.toFixed()).toBe('124');
  });

  test('skips layers that are already empty', () => {
    const layers = [layer('empty', 1, '0', '0'), layer('open', 2, '5', '50')];
    const r = drawFromLayers('fifo', layers, dec('5'));
    if (!r.ok) throw new Error('expected a draw');
    expect(r.draws.map((d) => d.layerId)).toEqual(['open']);
  });

  test('costs fractional quantities pro rata', () => {
    const book = new LayerBook('fifo');
    book.receive('2.5', '4.1');
    expect(book.issue('0.75').value.toFixed()).toBe('3.075');
    expect(book.value).toBe('7.175');
  });

  test('issuing a layer whose unit cost does not terminate one unit at a time leaves exactly zero', () => {
    // 3 units received for 10.00: each part-issue is rounded at 16 dp, and emptying takes the remainder.
    let layers = [layer('L1', 1, '3', '10.00')];
    const costs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = drawFromLayers('fifo', layers, dec('1'));
      if (!r.ok) throw new Error('expected a draw');
      costs.push(r.value.toFixed());
      layers = applyDraws(layers, r.draws);
    }
    expect(costs).toEqual(['3.3333333333333333', '3.3333333333333334', '3.3333333333333333']);
    expect(layers[0].remainingQty.toFixed()).toBe('0');
    expect(layers[0].remainingValue.toFixed()).toBe('0');
  });

  test('issuing everything after the classic exercise costs exactly what is left', () => {
    const book = new LayerBook('fifo');
    replay(book, CLASSIC);
    expect(book.issue('70').value.toFixed()).toBe('840');
    expect(book.qty).toBe('0');
    expect(book.value).toBe('0');
  });
});
