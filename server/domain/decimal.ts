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

/** Decimal places of a currency's minor unit (ISO 4217): 2 unless listed. */
const MINOR_UNITS: Record<string, number> = {
  JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, UGX: 0, PYG: 0, XAF: 0, XOF: 0, XPF: 0, KMF: 0, RWF: 0, VUV: 0, DJF: 0, GNF: 0, BIF: 0,
  BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3, LYD: 3, IQD: 3,
};
export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency.toUpperCase()] ?? MONEY_DP;
}

/** Round to a currency's minor unit (cents by default), half up. */
export function roundMoney(v: Decimal, dp: number = MONEY_DP): Decimal {
  return v.toDecimalPlaces(dp, Decimal.ROUND_HALF_UP);
}

/** Canonical text for storage and JSON: no exponent, no trailing zeros. */
export function str(v: Decimal): string {
  return v.toFixed();
}

export function money(v: Decimal, dp: number = MONEY_DP): string {
  const r = roundMoney(v, dp);
  return (r.isZero() ? ZERO : r).toFixed(dp); // never "-0.00"
}
