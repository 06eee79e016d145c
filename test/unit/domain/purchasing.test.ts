import { dec, Decimal } from '../../../server/domain/decimal';
import {
  AmountsMode,
  baseUnitCost,
  toStockUnits,
  checkOverReceipt,
  freeStock,
  buyingLessFlag,
  splitPriceDifference,
  differenceDate,
  StockPosition,
} from '../../../server/domain/purchasing';

describe('baseUnitCost: what one stock unit costs in the base currency, excluding tax', () => {
  test.each<[string, string, string, AmountsMode, string, string, string]>([
    // label, unit price, tax %, amounts, units per purchase unit, currency rate, expected
    ['plain price, each', '2.5', '0', 'exclusive', '1', '1', '2.5'],
    ['box of 10 at 25', '25', '0', 'exclusive', '10', '1', '2.5'],
    ['exclusive price ignores the tax rate', '25', '20', 'exclusive', '10', '1', '2.5'],
    ['no_tax price ignores the tax rate', '25', '20', 'no_tax', '10', '1', '2.5'],
    ['tax-inclusive 120 at 20% is 100', '120', '20', 'inclusive', '1', '1', '100'],
    ['tax-inclusive box of 10 at 12 with 20% tax', '12', '20', 'inclusive', '10', '1', '1'],
    ['tax-inclusive at 0% tax is the price', '12', '0', 'inclusive', '1', '1', '12'],
    ['tax-inclusive at 15% (NZ GST)', '11.5', '15', 'inclusive', '1', '1', '10'],
    ['EUR 11.50 at 1.15 EUR per GBP is GBP 10', '11.5', '0', 'exclusive', '1', '1.15', '10'],
    ['EUR box of 10 at 115 at rate 1.15', '115', '0', 'exclusive', '10', '1.15', '10'],
    ['EUR tax-inclusive box: 138 / 1.2 / 10 / 1.15', '138', '20', 'inclusive', '10', '1.15', '10'],
    ['a rate below 1 makes the base cost larger', '1', '0', 'exclusive', '1', '0.8', '1.25'],
    ['thirds round half-up at 10 places', '10', '0', 'exclusive', '3', '1', '3.3333333333'],
    ['two thirds round up at 10 places', '2', '0', 'exclusive', '3', '1', '0.6666666667'],
    ['inclusive thirds: 10 / 1.2 / 3', '10', '20', 'inclusive', '3', '1', '2.7777777778'],
    ['a free line costs nothing', '0', '20', 'inclusive', '10', '1.15', '0'],
    ['a half-piece purchase unit', '3', '0', 'exclusive', '0.5', '1', '6'],
  ])('%s', (_label, price, tax, amounts, factor, rate, expected) => {
    const cost = baseUnitCost({ unitPrice: dec(price), taxRate: dec(tax), amounts, unitsPerPurchaseUnit: dec(factor), currencyRate: dec(rate) });
    expect(cost.toFixed()).toBe(expected);
    expect(cost.decimalPlaces()).toBeLessThanOrEqual(10);
  });

  test('never goes through a float: 0.1 + 0.2 style prices stay exact', () => {
    const cost = baseUnitCost({ unitPrice: dec('0.3'), taxRate: dec(0), amounts: 'exclusive', unitsPerPurchaseUnit: dec('3'), currencyRate: dec(1) });
    expect(cost.toFixed()).toBe('0.1');
  });
});

describe('toStockUnits', () => {
  test.each([
    ['2', '10', '20'],
    ['0.5', '10', '5'],
    ['3', '1', '3'],
    ['1.5', '0.5', '0.75'],
    ['0.000001', '1000', '0.001'],
  ])('%s purchase units of %s is %s stock units', (qty, factor, expected) => {
    expect(toStockUnits(dec(qty), dec(factor)).toFixed()).toBe(expected);
  });
});

describe('checkOverReceipt', () => {
  test.each([
    // ordered, already received, adding, tolerance %
    ['all arrived, no tolerance', '10', '0', '10', '0'],
    ['partial', '10', '0', '4', '0'],
    ['the rest of a partial', '10', '6', '4', '0'],
    ['exactly at the 5% limit is accepted', '10', '0', '10.5', '5'],
    ['at the limit in two parts', '10', '5', '5.5', '5'],
    ['within 5% of 100', '100', '0', '105', '5'],
    ['within a 50% tolerance', '3', '0', '4', '50'],
    ['a tiny line at the limit', '0.002', '0', '0.0021', '5'],
  ])('%s: accepted', (_l, ordered, received, adding, tol) => {
    expect(checkOverReceipt(dec(ordered), dec(received), dec(adding), dec(tol))).toEqual({ over: false });
  });

  test.each([
    // ordered, received, adding, tolerance, total, limit, percent over
    ['one more than ordered, no tolerance', '10', '0', '11', '0', '11', '10', '10'],
    ['a millionth past the 5% limit', '10', '0', '10.500001', '5', '10.500001', '10.5', '5'],
    ['a second delivery beyond the limit', '10', '10', '1', '5', '11', '10.5', '10'],
    ['6% over 100 with 5% allowed', '100', '0', '106', '5', '106', '105', '6'],
    ['a third over with 33.3333% allowed', '3', '0', '4', '33.3333', '4', '3.999999', '33.3'],
    ['double the order', '10', '0', '20', '5', '20', '10.5', '100'],
  ])('%s: over', (_l, ordered, received, adding, tol, total, limit, pct) => {
    const r = checkOverReceipt(dec(ordered), dec(received), dec(adding), dec(tol));
    expect(r.over).toBe(true);
    if (!r.over) return;
    expect([r.total.toFixed(), r.limit.toFixed(), r.percentOver.toFixed()]).toEqual([total, limit, pct]);
  });
});

describe('buying less', () => {
  const pos = (onHand: string, allocated: string, onOrder: string, demand: string): StockPosition =>
    ({ onHand: dec(onHand), allocated: dec(allocated), onOrder: dec(onOrder), demand: dec(demand) });

  test.each([
    ['nothing anywhere', pos('0', '0', '0', '0'), '0'],
    ['on hand only', pos('10', '0', '0', '0'), '10'],
    ['less what is allocated', pos('10', '4', '0', '0'), '6'],
    ['plus what is on order', pos('10', '4', '5', '0'), '11'],
    ['less demand', pos('10', '4', '5', '3'), '8'],
    ['can be negative', pos('0', '0', '0', '3'), '-3'],
  ])('free stock with %s', (_l, p, expected) => {
    expect(freeStock(p).toFixed()).toBe(expected);
  });

  test.each<[string, StockPosition, string, string, number, { freeStock: string; value: string } | null]>([
    ['covered with room to spare', pos('10', '0', '0', '0'), '5', '2', 2, { freeStock: '10', value: '10' }],
    ['exactly covered is flagged', pos('10', '0', '0', '0'), '10', '2.5', 2, { freeStock: '10', value: '25' }],
    ['one short is not flagged', pos('10', '0', '0', '0'), '11', '2', 2, null],
    ['allocations make it needed', pos('10', '4', '0', '0'), '8', '2', 2, null],
    ['on order covers it', pos('10', '4', '5', '0'), '8', '2', 2, { freeStock: '11', value: '16' }],
    ['demand beyond stock', pos('0', '0', '0', '3'), '1', '2', 2, null],
    ['value rounded to cents', pos('10', '0', '0', '0'), '3', '0.3333333333', 2, { freeStock: '10', value: '1' }],
    ['value rounded half-up to cents', pos('10', '0', '0', '0'), '1', '2.675', 2, { freeStock: '10', value: '2.68' }],
    ['value in yen (no minor unit)', pos('10', '0', '0', '0'), '3', '333.5', 0, { freeStock: '10', value: '1001' }],
    ['value in dinar (3 places)', pos('10', '0', '0', '0'), '3', '0.3333333333', 3, { freeStock: '10', value: '1' }],
  ])('%s', (_l, p, qty, cost, dp, expected) => {
    const flag = buyingLessFlag(p, dec(qty), dec(cost), dp);
    expect(flag && { freeStock: flag.freeStock.toFixed(), value: flag.value.toFixed() }).toEqual(expected);
  });
});

describe('splitPriceDifference', () => {
  type Row = [string, { received: string; onHand: string; billedBefore: string; billed: string; receiptCost: string; billCost: string; layerValue: string }, { onHandQty: string; consumedQty: string; revalue: string; variance: string }];
  const split = (i: Row[1]) => {
    const r = splitPriceDifference({
      receivedQty: dec(i.received), stillOnHand: dec(i.onHand), billedBefore: dec(i.billedBefore), billedQty: dec(i.billed),
      receiptUnitCost: dec(i.receiptCost), billUnitCost: dec(i.billCost), layerValue: dec(i.layerValue),
    });
    return { onHandQty: r.onHandQty.toFixed(), consumedQty: r.consumedQty.toFixed(), revalue: r.revalue.toFixed(), variance: r.variance.toFixed() };
  };

  test.each<Row>([
    ['all still on hand: the layer is revalued', { received: '10', onHand: '10', billedBefore: '0', billed: '10', receiptCost: '2', billCost: '2.5', layerValue: '20' }, { onHandQty: '10', consumedQty: '0', revalue: '5', variance: '0' }],
    ['all consumed: all variance', { received: '10', onHand: '0', billedBefore: '0', billed: '10', receiptCost: '2', billCost: '2.5', layerValue: '0' }, { onHandQty: '0', consumedQty: '10', revalue: '0', variance: '5' }],
    ['4 of 10 consumed', { received: '10', onHand: '6', billedBefore: '0', billed: '10', receiptCost: '2', billCost: '2.5', layerValue: '12' }, { onHandQty: '6', consumedQty: '4', revalue: '3', variance: '2' }],
    ['same price: nothing to move', { received: '10', onHand: '6', billedBefore: '0', billed: '10', receiptCost: '2', billCost: '2', layerValue: '12' }, { onHandQty: '6', consumedQty: '4', revalue: '0', variance: '0' }],
    ['a price cut on stock on hand', { received: '10', onHand: '10', billedBefore: '0', billed: '10', receiptCost: '2', billCost: '1.5', layerValue: '20' }, { onHandQty: '10', consumedQty: '0', revalue: '-5', variance: '0' }],
    ['a price cut partly consumed', { received: '10', onHand: '6', billedBefore: '0', billed: '10', receiptCost: '2', billCost: '1.5', layerValue: '12' }, { onHandQty: '6', consumedQty: '4', revalue: '-3', variance: '-2' }],
    ['a price cut larger than the layer value: layer to zero, the rest is variance', { received: '10', onHand: '10', billedBefore: '0', billed: '10', receiptCost: '2', billCost: '1', layerValue: '3' }, { onHandQty: '10', consumedQty: '0', revalue: '-3', variance: '-7' }],
    ['a cut to zero takes exactly the layer value', { received: '10', onHand: '6', billedBefore: '0', billed: '10', receiptCost: '2', billCost: '0', layerValue: '12' }, { onHandQty: '6', consumedQty: '4', revalue: '-12', variance: '-8' }],
    ['a cut when the layer is already worth nothing', { received: '10', onHand: '6', billedBefore: '0', billed: '10', receiptCost: '2', billCost: '1', layerValue: '0' }, { onHandQty: '6', consumedQty: '4', revalue: '0', variance: '-10' }],
    ['thirds stay exact to 16 places', { received: '3', onHand: '3', billedBefore: '0', billed: '3', receiptCost: '1', billCost: '1.3333333333', layerValue: '3' }, { onHandQty: '3', consumedQty: '0', revalue: '0.9999999999', variance: '0' }],
    ['more on hand than received (merged layers) counts nothing consumed', { received: '5', onHand: '8', billedBefore: '0', billed: '5', receiptCost: '2', billCost: '3', layerValue: '16' }, { onHandQty: '5', consumedQty: '0', revalue: '5', variance: '0' }],
  ])('%s', (_l, input, expected) => {
    expect(split(input)).toEqual(expected);
  });

  test('revalue + variance is always the whole difference on the billed units', () => {
    for (const onHand of ['0', '1', '5', '10']) {
      for (const billCost of ['0', '1', '1.99', '2', '2.01', '7']) {
        for (const layerValue of ['0', '1', '20']) {
          const r = splitPriceDifference({ receivedQty: dec(10), stillOnHand: dec(onHand), billedBefore: dec(0), billedQty: dec(10), receiptUnitCost: dec(2), billUnitCost: dec(billCost), layerValue: dec(layerValue) });
          expect(r.revalue.plus(r.variance).toFixed()).toBe(dec(billCost).minus(2).mul(10).toFixed());
          expect(r.onHandQty.plus(r.consumedQty).toFixed()).toBe('10');
          // A revaluation never takes the layer below zero.
          expect(dec(layerValue).plus(r.revalue).isNeg()).toBe(false);
        }
      }
    }
  });

  describe('billed in parts counts each unit once', () => {
    const receipt = { receivedQty: dec(10), stillOnHand: dec(6), receiptUnitCost: dec(2), billUnitCost: dec('2.5'), layerValue: dec(12) };
    const whole = splitPriceDifference({ ...receipt, billedBefore: dec(0), billedQty: dec(10) });

    test.each([
      ['3 then 7', ['3', '7'], [['0', '3'], ['6', '1']]],
      ['5 then 5', ['5', '5'], [['1', '4'], ['5', '0']]],
      ['4 then 6', ['4', '6'], [['0', '4'], ['6', '0']]],
      ['1, 1, then 8', ['1', '1', '8'], [['0', '1'], ['0', '1'], ['6', '2']]],
      ['2, 3, then 5', ['2', '3', '5'], [['0', '2'], ['1', '2'], ['5', '0']]],
    ])('%s', (_l, parts, expected) => {
      let before = new Decimal(0);
      let revalue = new Decimal(0);
      let variance = new Decimal(0);
      const got: string[][] = [];
      for (const p of parts) {
        const r = splitPriceDifference({ ...receipt, billedBefore: before, billedQty: dec(p) });
        got.push([r.onHandQty.toFixed(), r.consumedQty.toFixed()]);
        revalue = revalue.plus(r.revalue);
        variance = variance.plus(r.variance);
        before = before.plus(p);
      }
      expect(got).toEqual(expected);
      expect([revalue.toFixed(), variance.toFixed()]).toEqual([whole.revalue.toFixed(), whole.variance.toFixed()]);
      expect([revalue.toFixed(), variance.toFixed()]).toEqual(['3', '2']);
    });
  });
});

describe('differenceDate: the day a bill\'s price difference is posted on', () => {
  test.each<[string, string, string[], string | null, string]>([
    ['the bill\'s date when the stock was already there', '2026-11-20', ['2026-11-10'], null, '2026-11-20'],
    ['the day the goods arrived, for a bill dated before them', '2026-11-09', ['2026-11-10'], null, '2026-11-10'],
    ['the latest of the receipts and transfers it revalues', '2026-11-09', ['2026-11-10', '2026-11-12', '2026-11-11'], null, '2026-11-12'],
    ['the first open day when that falls in a locked period', '2026-11-09', ['2026-11-10'], '2026-11-30', '2026-12-01'],
    ['the arrival, not the lock, when the goods came after the lock date', '2026-11-09', ['2026-11-15'], '2026-11-12', '2026-11-15'],
  ])('%s', (_name, bill, since, lock, expected) => {
    expect(differenceDate(bill, since, lock)).toBe(expected);
  });
});
