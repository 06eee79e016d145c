import DecimalJs from 'decimal.js';

// One decimal type for every quantity, cost and amount. 50 significant digits covers
// numeric(40,16) values with room to spare; half-up is the rounding accountants expect.
export const Decimal = DecimalJs.clone({ precision: 50, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO = new Decimal(0);
export const QTY_DP = 6;
export const COST_DP = 10;
export const VALUE_DP = 16;
export const MONEY_DP = 2;

export function dec(v: DecimalJs.Value): Decimal {
  return new Decimal(v);
}

export function sum(values: Decimal[]): Decimal {
  return values.reduce((a, b) => a.plus(b), ZERO);
}

export function roundMoney(v: Decimal): Decimal {
  return v.toDecimalPlaces(MONEY_DP, Decimal.ROUND_HALF_UP);
}

/** Canonical text for storage and JSON: no exponent, no trailing zeros. */
export function str(v: Decimal): string {
  return v.toFixed();
}

export function money(v: Decimal): string {
  const r = roundMoney(v);
  return (r.isZero() ? ZERO : r).toFixed(MONEY_DP); // never "-0.00"
}
