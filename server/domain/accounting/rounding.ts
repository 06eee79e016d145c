import { Decimal, ZERO, roundMoney } from '../decimal';

/**
 * Journal amounts are in the currency's minor unit (cents, yen, fils); layer values are exact. Each part carries its exact value and the
 * cents already posted for it, and every change posts round(exact after) - posted before. So the
 * journals for a part always equal its exact value rounded, and rounding never accumulates.
 */
export type Carry = { exactValue: Decimal; postedValue: Decimal };

export function postWithCarry(carry: Carry, delta: Decimal, minorUnits = 2): { posted: Decimal; carry: Carry } {
  const exactValue = carry.exactValue.plus(delta);
  const postedValue = roundMoney(exactValue, minorUnits);
  return { posted: postedValue.minus(carry.postedValue), carry: { exactValue, postedValue } };
}

/**
 * Several changes to one part in one event, posted one after another with the carry: each gets
 * its own cents, and together they post exactly what one posting of their sum would (the
 * differences telescope), so a document quoting one line's cost quotes what the journal posted.
 */
export function postEachWithCarry(
  carry: Carry,
  deltas: Decimal[],
  minorUnits = 2,
): { posted: Decimal[]; carry: Carry } {
  const posted: Decimal[] = [];
  let current = carry;
  for (const delta of deltas) {
    const r = postWithCarry(current, delta, minorUnits);
    posted.push(r.posted);
    current = r.carry;
  }
  return { posted, carry: current };
}

/**
 * Exact figures shown as a list under their total (a valuation report): the same carry run down
 * the list, so each line shows its share of the running total's rounding and the lines add up
 * to the shown total, which is the exact total rounded.
 */
export function roundInOrder(values: Decimal[], minorUnits = 2): Decimal[] {
  return postEachWithCarry({ exactValue: ZERO, postedValue: ZERO }, values, minorUnits).posted;
}
