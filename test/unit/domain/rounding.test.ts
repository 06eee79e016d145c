import { Decimal, dec, money, roundMoney, str } from '../../../server/domain/decimal';
import { Carry, postEachWithCarry, postWithCarry, roundLinesByPart } from '../../../server/domain/accounting';

const carryOf = (exact: string, posted: string): Carry => ({ exactValue: dec(exact), postedValue: dec(posted) });

describe('roundMoney', () => {
  test.each([
    ['2.675', '2.68'], // a float would give 2.67
    ['1.005', '1.01'],
    ['0.125', '0.13'],
    ['0.124999', '0.12'],
    ['-2.675', '-2.68'], // half away from zero
    ['-0.004', '0'],
    ['333.3333333', '333.33'],
    ['99.995', '100'],
  ])('rounds %s half-up to %s', (v, expected) => {
    expect(roundMoney(dec(v)).toFixed()).toBe(expected);
  });
});

describe('money and str', () => {
  test.each([
    ['2', '2.00'],
    ['1.5', '1.50'],
    ['-12.3', '-12.30'],
  ])('money(%s) is %s', (v, expected) => {
    expect(money(dec(v))).toBe(expected);
  });

  test('a negative amount rounded to zero cents prints without a sign', () => {
    expect(money(roundMoney(dec('-0.004')))).toBe('0.00');
  });

  test.each([
    ['1.500', '1.5'],
    ['1e-20', '0.00000000000000000001'],
    ['1e39', '1' + '0'.repeat(39)],
  ])('str(%s) is %s, with no exponent and no trailing zeros', (v, expected) => {
    expect(str(dec(v))).toBe(expected);
  });
});

describe('postWithCarry', () => {
  test.each([
    ['a first posting rounds the exact value', carryOf('0', '0'), '10.005', '10.01', '10.005', '10.01'],
    ['a change too small to move the rounded total posts nothing', carryOf('0.004', '0'), '0.0004', '0', '0.0044', '0'],
    ['a small change that crosses a half cent posts one cent', carryOf('0.004', '0'), '0.001', '0.01', '0.005', '0.01'],
    ['a decrease posts the fall in the rounded total', carryOf('0.005', '0.01'), '-0.001', '-0.01', '0.004', '0'],
    ['emptying posts back exactly what was posted', carryOf('333.3333333', '333.33'), '-333.3333333', '-333.33', '0', '0'],
  ])('%s', (_name, carry, delta, posted, exactAfter, postedAfter) => {
    const r = postWithCarry(carry, dec(delta));
    expect([r.posted.toFixed(), r.carry.exactValue.toFixed(), r.carry.postedValue.toFixed()]).toEqual([posted, exactAfter, postedAfter]);
  });

  test('1000 receipts then 1000 issues of 1 unit at 0.3333333333 never drift from the rounded exact value', () => {
    const unit = dec('0.3333333333');
    let carry = carryOf('0', '0');
    let postedIn = dec(0);
    let postedOut = dec(0);
    const step = (delta: Decimal): Decimal => {
      const r = postWithCarry(carry, delta);
      carry = r.carry;
      expect(carry.postedValue.eq(roundMoney(carry.exactValue))).toBe(true);
      return r.posted;
    };
    for (let i = 0; i < 1000; i++) postedIn = postedIn.plus(step(unit));
    expect(carry.exactValue.toFixed()).toBe('333.3333333');
    expect(postedIn.toFixed()).toBe('333.33');
    for (let i = 0; i < 1000; i++) postedOut = postedOut.plus(step(unit.neg()));
    expect(carry.exactValue.toFixed()).toBe('0');
    expect(postedOut.toFixed()).toBe('-333.33');
    expect(postedIn.plus(postedOut).toFixed()).toBe(roundMoney(carry.exactValue).toFixed());
  });

  test('rounding each issue on its own would drift by 3.33 where the carry does not', () => {
    const unit = dec('0.3333333333');
    const naive = roundMoney(unit).mul(1000);
    let carry = carryOf('0', '0');
    let posted = dec(0);
    for (let i = 0; i < 1000; i++) {
      const r = postWithCarry(carry, unit);
      carry = r.carry;
      posted = posted.plus(r.posted);
    }
    expect(naive.toFixed()).toBe('330');
    expect(posted.toFixed()).toBe('333.33');
  });

  test('each posting is whole cents', () => {
    let carry = carryOf('0', '0');
    for (const d of ['0.0049', '1.23456', '-0.999999', '7.5', '-8.00001', '0.0000001']) {
      const r = postWithCarry(carry, dec(d));
      carry = r.carry;
      expect(r.posted.decimalPlaces()).toBeLessThanOrEqual(2);
    }
  });
});

describe('postEachWithCarry', () => {
  test('gives each line its own cents, adding up to what one posting of the sum would', () => {
    // 3 x 0.333333 = 0.999999 on hand, posted as 1.00. Taking 0.333333 three times:
    // 0.666666 -> 0.67 (-0.33), 0.333333 -> 0.33 (-0.34), 0 -> 0 (-0.33).
    const start = carryOf('0.999999', '1.00');
    const each = postEachWithCarry(start, ['-0.333333', '-0.333333', '-0.333333'].map(dec));
    expect(each.posted.map(str)).toEqual(['-0.33', '-0.34', '-0.33']);
    const once = postWithCarry(start, dec('-0.999999'));
    expect(str(each.posted.reduce((a, b) => a.plus(b)))).toBe(str(once.posted));
    expect(each.carry).toEqual(once.carry);
  });
});

describe('roundLinesByPart', () => {
  const parts = (...rows: [string, string][]) => rows.map(([part, value]) => ({ part, value: dec(value) }));
  test.each<[string, [string, string][], string[], string]>([
    // Three parts: each posts its own 0.335 as 0.34, so the lines and the ledger hold 1.02 (not 1.005 -> 1.01).
    ['three parts', [['A', '0.335'], ['B', '0.335'], ['C', '0.335']], ['0.34', '0.34', '0.34'], '1.02'],
    // One part at three locations: its lines carry among themselves to its own 1.005 -> 1.01.
    ['one part in three places', [['A', '0.335'], ['A', '0.335'], ['A', '0.335']], ['0.34', '0.33', '0.34'], '1.01'],
    ['parts interleaved', [['A', '0.333333'], ['B', '0.004'], ['A', '0.333333'], ['B', '0.004'], ['A', '0.333333']],
      ['0.33', '0', '0.34', '0.01', '0.33'], '1.01'],
  ])('%s: shows each line so a part\'s lines add up to its value rounded', (_what, rows, shown, total) => {
    const lines = roundLinesByPart(parts(...rows));
    expect(lines.map(str)).toEqual(shown);
    expect(str(lines.reduce((a, b) => a.plus(b)))).toBe(total);
    const byPart = new Map<string, Decimal>();
    for (const [part, value] of rows) byPart.set(part, (byPart.get(part) ?? dec(0)).plus(value));
    expect(str([...byPart.values()].reduce((a, v) => a.plus(roundMoney(v)), dec(0)))).toBe(total);
  });
});
