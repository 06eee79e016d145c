import { parseDecimalText, parseQuantity, parseUnitCost } from '../../../server/domain/numbers';

const reasonOf = (p: ReturnType<typeof parseQuantity>) => (p.ok ? `ok ${p.value.toFixed()}` : p.reason);

describe('parseQuantity', () => {
  test.each<[string, unknown, string]>([
    ['a whole number', 5, 'ok 5'],
    ['a fractional number', 2.5, 'ok 2.5'],
    ['a number whose shortest text is exact', 0.1, 'ok 0.1'],
    ['a decimal string', '12.345678', 'ok 12.345678'],
    ['a string with surrounding spaces', '  7.25 ', 'ok 7.25'],
    ['a string with a leading plus', '+3', 'ok 3'],
    ['a string with no integer part', '.5', 'ok 0.5'],
    ['a string with a trailing point', '5.', 'ok 5'],
    ['trailing zeros beyond 6 dp', '1.50000000', 'ok 1.5'],
    ['exactly 6 dp', '0.000001', 'ok 0.000001'],
    ['the largest quantity', '1000000000000', 'ok 1000000000000'],
  ])('accepts %s', (_name, raw, expected) => {
    expect(reasonOf(parseQuantity(raw))).toBe(expected);
  });

  test.each<[string, unknown, string]>([
    ['undefined', undefined, 'is required'],
    ['null', null, 'is required'],
    ['an empty string', '', 'is required'],
    ['a negative number', -1, 'must be greater than zero'],
    ['a negative string', '-0.5', 'must be greater than zero'],
    ['zero', 0, 'must be greater than zero'],
    ['zero as text', '0.000', 'must be greater than zero'],
    ['letters', 'abc', 'must be a number (got "abc")'],
    ['a number with a unit', '5kg', 'must be a number (got "5kg")'],
    ['a thousands separator', '1,000', 'must be a number (got "1,000")'],
    ['NaN', NaN, 'must be a number'],
    ['Infinity', Infinity, 'must be a number'],
    ['a boolean', true, 'must be a number'],
    ['an object', { qty: 1 }, 'must be a number'],
    ['more than 6 dp', '1.1234567', 'has too many decimal places (at most 6)'],
    ['a float artefact', 0.1 + 0.2, 'has more significant digits than a JSON number keeps exactly; send it as a string ("0.30000000000000004")'],
    ['a JSON number past 15 significant digits', 123456789.1234567891, 'has more significant digits than a JSON number keeps exactly; send it as a string ("123456789.12345679")'],
    ['the huge number 1e30', 1e30, 'is too large (at most 1000000000000)'],
    ['the huge string "1e30"', '1e30', 'must be a plain decimal, not exponent notation (got "1e30")'],
    ['exponent notation for a small value', '5E-3', 'must be a plain decimal, not exponent notation (got "5E-3")'],
    ['the number 1e13', 1e13, 'is too large (at most 1000000000000)'],
    ['one more than the largest quantity', '1000000000001', 'is too large (at most 1000000000000)'],
  ])('rejects %s', (_name, raw, expected) => {
    expect(reasonOf(parseQuantity(raw))).toBe(expected);
  });

  test.each(['ten', 'seven', '12 each'])('rejects words (%s) as not a number', (raw) => {
    expect(reasonOf(parseQuantity(raw))).toBe(`must be a number (got "${raw}")`);
  });

  test('quotes at most 40 characters of text that is not a number', () => {
    const p = parseQuantity('x'.repeat(100));
    expect(reasonOf(p)).toBe(`must be a number (got "${'x'.repeat(40)}")`);
  });

  test.each<[string, unknown, string]>([
    ['a negative quantity', '-3', 'ok -3'],
    ['a positive quantity', '3', 'ok 3'],
    ['zero', '0', 'must not be zero'],
    ['negative zero', '-0', 'must not be zero'],
    ['a negative beyond the largest quantity', '-1000000000001', 'is too large (at most 1000000000000)'],
  ])('when signed, handles %s', (_name, raw, expected) => {
    expect(reasonOf(parseQuantity(raw, { signed: true }))).toBe(expected);
  });

  test.each<[string, unknown, { whole?: boolean; unit?: string }, string]>([
    ['a whole number', '4', { whole: true }, 'ok 4'],
    ['a whole number written with decimals', '4.000', { whole: true }, 'ok 4'],
    ['a fraction, naming units by default', '2.5', { whole: true }, 'must be a whole number of units'],
    ['a fraction, naming the unit given', '2.5', { whole: true, unit: 'boxes' }, 'must be a whole number of boxes'],
    ['a fraction when whole units are not required', '2.5', { unit: 'boxes' }, 'ok 2.5'],
  ])('whole-unit check: %s', (_name, raw, opts, expected) => {
    expect(reasonOf(parseQuantity(raw, opts))).toBe(expected);
  });
});

describe('parseUnitCost', () => {
  test.each<[string, unknown, string]>([
    ['a number', 12.5, 'ok 12.5'],
    ['a string', '0.3333333333', 'ok 0.3333333333'],
    ['zero (free stock has no cost)', '0', 'ok 0'],
    ['exactly 10 dp', '1.0000000001', 'ok 1.0000000001'],
    ['the largest cost', '1000000000000', 'ok 1000000000000'],
  ])('accepts %s', (_name, raw, expected) => {
    expect(reasonOf(parseUnitCost(raw))).toBe(expected);
  });

  test.each<[string, unknown, string]>([
    ['missing', undefined, 'is required'],
    ['empty', '', 'is required'],
    ['negative', '-0.01', 'must not be negative'],
    ['a negative number', -5, 'must not be negative'],
    ['non-numeric', '£5', 'must be a number (got "£5")'],
    ['more than 10 dp', '1.12345678901', 'has too many decimal places (at most 10)'],
    ['the huge number 1e30', 1e30, 'is too large (at most 1000000000000)'],
    ['the huge string "1e30"', '1e30', 'must be a plain decimal, not exponent notation (got "1e30")'],
    ['the number 1e13', 1e13, 'is too large (at most 1000000000000)'],
  ])('rejects %s', (_name, raw, expected) => {
    expect(reasonOf(parseUnitCost(raw))).toBe(expected);
  });
});

describe('parseDecimalText', () => {
  test('keeps every digit of a long decimal string, beyond float precision', () => {
    const p = parseDecimalText('12345678901234567890.123456789012345678');
    expect(p.ok && p.value.toFixed()).toBe('12345678901234567890.123456789012345678');
  });
});
