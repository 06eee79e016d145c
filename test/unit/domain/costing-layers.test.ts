import { dec } from '../../../server/domain/decimal';
import { Layer, ValuationMethod, applyDraws, currentUnitCost, drawFromLayers, drawValue, planInbound, unitCostOf } from '../../../server/domain/costing';

const layer = (id: string, seq: number, qty: string, value: string): Layer => ({ id, seq, remainingQty: dec(qty), remainingValue: dec(value) });
const METHODS: ValuationMethod[] = ['fifo', 'lifo', 'weighted_average'];

describe('drawFromLayers when stock is short', () => {
  test.each(METHODS)('%s refuses and reports the quantity available', (method) => {
    const layers = [layer('L1', 1, '4', '40'), layer('L2', 2, '2.5', '30'), layer('L3', 3, '0', '0')];
    const r = drawFromLayers(method, layers, dec('7'));
    expect(r).toEqual({ ok: false, available: expect.anything() });
    if (!r.ok) expect(r.available.toFixed()).toBe('6.5');
  });

  test.each(METHODS)('%s refuses any quantity when there are no layers, reporting 0 available', (method) => {
    const r = drawFromLayers(method, [], dec('0.000001'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.available.toFixed()).toBe('0');
  });

  test.each(METHODS)('%s takes exactly everything on hand, at its full value', (method) => {
    const layers = [layer('L1', 1, '4', '40'), layer('L2', 2, '2.5', '30')];
    const r = drawFromLayers(method, layers, dec('6.5'));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.toFixed()).toBe('70');
  });
});

describe('applyDraws', () => {
  test('reduces each drawn layer by the quantity and value drawn from it', () => {
    const layers = [layer('L1', 1, '10', '100'), layer('L2', 2, '10', '110')];
    const after = applyDraws(layers, [
      { layerId: 'L2', qty: dec('3'), value: dec('33') },
      { layerId: 'L2', qty: dec('1'), value: dec('11') },
    ]);
    expect(after.map((l) => [l.id, l.remainingQty.toFixed(), l.remainingValue.toFixed()])).toEqual([
      ['L1', '10', '100'],
      ['L2', '6', '66'],
    ]);
  });

  test('returns new layers and leaves the input untouched', () => {
    const layers = [layer('L1', 1, '10', '100'), layer('L2', 2, '10', '110')];
    const after = applyDraws(layers, [{ layerId: 'L1', qty: dec('10'), value: dec('100') }]);
    expect(layers[0].remainingQty.toFixed()).toBe('10');
    expect(after[0]).not.toBe(layers[0]);
    expect(after[1]).toBe(layers[1]);
  });
});

describe('unitCostOf', () => {
  test.each([
    ['3', '10', '3.3333333333'],
    ['3', '2', '0.6666666667'],
    ['8', '1', '0.125'],
    ['0', '5', '0'],
    ['2', '0', '0'],
  ])('%s units valued %s cost %s each (10 dp, half-up; 0 when there is no quantity)', (qty, value, expected) => {
    expect(unitCostOf(dec(qty), dec(value)).toFixed()).toBe(expected);
  });
});

describe('drawValue', () => {
  test.each([
    ['emptying a layer takes its whole remaining value', '3', '10', '3', '10'],
    ['a part takes its share at 16 dp', '3', '10', '1', '3.3333333333333333'],
    ['a part that rounds up at the 17th place rounds half-up', '3', '10', '2', '6.6666666666666667'],
    ['a fractional part', '2.5', '10.25', '0.75', '3.075'],
  ])('%s', (_name, qty, value, take, expected) => {
    expect(drawValue(layer('L1', 1, qty, value), dec(take)).toFixed()).toBe(expected);
  });
});

describe('planInbound', () => {
  test.each<ValuationMethod>(['fifo', 'lifo'])('%s always opens a new layer valued at qty x unit cost', (method) => {
    const plan = planInbound(method, [layer('L1', 1, '5', '50')], dec('2.5'), dec('4.1'));
    expect(plan.kind).toBe('new');
    expect([plan.qty.toFixed(), plan.value.toFixed(), plan.unitCost.toFixed()]).toEqual(['2.5', '10.25', '4.1']);
  });

  test('weighted average opens a new layer when nothing is on hand', () => {
    const plan = planInbound('weighted_average', [layer('L1', 1, '0', '0')], dec('4'), dec('2.5'));
    expect(plan).toMatchObject({ kind: 'new' });
    expect(plan.value.toFixed()).toBe('10');
  });

  test('weighted average merges into the one open layer, ignoring emptied ones', () => {
    const plan = planInbound('weighted_average', [layer('old', 1, '0', '0'), layer('open', 2, '2', '8')], dec('1'), dec('2'));
    expect(plan.kind).toBe('merge');
    if (plan.kind !== 'merge') return;
    expect([plan.layerId, plan.qty.toFixed(), plan.value.toFixed(), plan.unitCost.toFixed()]).toEqual(['open', '3', '10', '3.3333333333']);
  });
});

describe('currentUnitCost', () => {
  const twoLayers = [layer('L1', 1, '10', '100'), layer('L2', 2, '5', '60'), layer('L0', 0, '0', '0')];

  test.each<[string, ValuationMethod, Layer[], string | null]>([
    ['nothing is on hand', 'fifo', [layer('L1', 1, '0', '0')], null],
    ['no layers exist', 'weighted_average', [], null],
    ['FIFO has one open layer', 'fifo', [layer('L1', 1, '3', '10')], '3.3333333333'],
    ['FIFO has several open layers (newest layer cost)', 'fifo', twoLayers, '12'],
    ['LIFO has several open layers (newest layer cost)', 'lifo', twoLayers, '12'],
    ['weighted average has several open layers (average of all)', 'weighted_average', twoLayers, '10.6666666667'],
  ])('when %s', (_name, method, layers, expected) => {
    const cost = currentUnitCost(method, layers);
    expect(cost === null ? null : cost.toFixed()).toBe(expected);
  });
});
