import { Decimal, roundMoney } from '../decimal';

/**
 * Journal amounts are cents; layer values are exact. Each part carries its exact value and the
 * cents already posted for it, and every change posts round(exact after) - posted before. So the
 * journals for a part always equal its exact value rounded, and rounding never accumulates.
 */
export type Carry = { exactValue: Decimal; postedValue: Decimal };

export function postWithCarry(carry: Carry, delta: Decimal): { posted: Decimal; carry: Carry } {
  const exactValue = carry.exactValue.plus(delta);
  const postedValue = roundMoney(exactValue);
  return { posted: postedValue.minus(carry.postedValue), carry: { exactValue, postedValue } };
}
