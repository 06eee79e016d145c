import { Decimal, ZERO, roundMoney } from '../decimal';

// Received stock sent back to its supplier after goods-in: pure rules, no I/O.

/** A receipt line's figures, in stock units. */
export type ReceiptFigures = { received: Decimal; billed: Decimal; returned: Decimal; returnedUnbilled: Decimal };

export type ReturnSplit = { ok: true; unbilled: Decimal; billed: Decimal } | { ok: false; returnable: Decimal };

/**
 * How many of the units sent back had been billed. Unbilled units go first: they simply leave
 * GRNI (the bill, when it comes, is for fewer); only beyond them is a credit note owed for units
 * the supplier has already billed. Refused beyond what is left of the receipt line.
 */
export function splitReturn(r: ReceiptFigures, qty: Decimal): ReturnSplit {
  const returnable = r.received.minus(r.returned);
  if (qty.gt(returnable)) return { ok: false, returnable };
  const unbilledLeft = Decimal.max(r.received.minus(r.billed).minus(r.returnedUnbilled), ZERO);
  const unbilled = Decimal.min(qty, unbilledLeft);
  return { ok: true, unbilled, billed: qty.minus(unbilled) };
}

/**
 * The billed units' share of the value sent back, in the currency's minor unit: what the
 * supplier's credit note should be for (before tax). The unbilled rest leaves GRNI.
 */
export function creditExpected(value: Decimal, qty: Decimal, billed: Decimal, minorUnits: number): Decimal {
  if (billed.isZero()) return ZERO;
  return roundMoney(value.mul(billed).div(qty), minorUnits);
}
