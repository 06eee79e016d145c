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
 * A valuation report's lines (a part at several locations) shown in cents. The ledger posts each
 * part's exact value rounded (the carry above), so a part's lines carry their rounding among
 * themselves and add up to that figure, and the report's total is what the stock accounts hold.
 * Rounding every line alone would not add up; one carry down the whole list would add up but
 * disagree with the ledger by the parts' roundings.
 */
export function roundLinesByPart<T extends { part: string; value: Decimal }>(lines: T[], minorUnits = 2): Decimal[] {
  const carries = new Map<string, Carry>();
  return lines.map((l) => {
    const r = postWithCarry(carries.get(l.part) ?? { exactValue: ZERO, postedValue: ZERO }, l.value, minorUnits);
    carries.set(l.part, r.carry);
    return r.posted;
  });
}
