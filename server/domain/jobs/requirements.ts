import { Decimal, ZERO } from '../decimal';
import { need, BomLine } from '../bom';

type LineQty = Pick<BomLine, 'qtyPer' | 'attritionPct'>;

/**
 * What a job line needs for `units` of the assembly: quantity per unit plus attrition, rounded up
 * to whole units for parts counted whole (10 boards at 2% attrition need 11 screws, not 10.2).
 */
export function lineRequirement(units: Decimal, line: LineQty, fractional: boolean): Decimal {
  const exact = need(units, { ...line } as BomLine);
  return fractional ? exact : exact.ceil();
}

/**
 * What completing up to `unitsDone` units should have consumed of a line by now, less what it
 * already has: never negative, never beyond the line's requirement for the whole job.
 */
export function consumptionDue(unitsDone: Decimal, line: LineQty & { required: Decimal; consumed: Decimal }, fractional: boolean): Decimal {
  const due = Decimal.min(lineRequirement(unitsDone, line, fractional), line.required);
  return Decimal.max(due.minus(line.consumed), ZERO);
}

/** Take `needed` from buckets in the order given, never more than a bucket holds. */
export function takeInOrder<K>(needed: Decimal, buckets: readonly { key: K; free: Decimal }[]): { key: K; qty: Decimal }[] {
  const out: { key: K; qty: Decimal }[] = [];
  let left = needed;
  for (const b of buckets) {
    if (!left.gt(0)) break;
    const qty = Decimal.min(left, Decimal.max(b.free, ZERO));
    if (qty.gt(0)) out.push({ key: b.key, qty });
    left = left.minus(qty);
  }
  return out;
}
