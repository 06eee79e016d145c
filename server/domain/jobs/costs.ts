import { Decimal, ZERO } from '../decimal';

/**
 * A completion moves the job's work in progress to finished goods: good units take their share,
 * units scrapped at completion take the rest (abnormal loss). Amounts are in the journals'
 * minor units so the WIP account empties exactly.
 */
export function completionSplit(wip: Decimal, good: Decimal, scrapped: Decimal, dp: number): { finished: Decimal; scrap: Decimal } {
  const units = good.plus(scrapped);
  if (!units.gt(0) || scrapped.isZero()) return { finished: wip, scrap: ZERO };
  const finished = wip.mul(good).div(units).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP);
  return { finished, scrap: wip.minus(finished) };
}

/** Split an amount over n units in minor units, the remainder going to the first units. */
export function splitEvenly(total: Decimal, n: number, dp: number): Decimal[] {
  if (n <= 0) return [];
  const step = new Decimal(1).div(new Decimal(10).pow(dp));
  const base = total.div(n).toDecimalPlaces(dp, Decimal.ROUND_DOWN);
  let rest = total.minus(base.mul(n)).div(step).round().toNumber(); // whole minor units, fewer than n
  return Array.from({ length: n }, () => (rest-- > 0 ? base.plus(step) : base));
}

/** Minutes at an hourly rate, in minor units. */
export function labourCost(minutes: Decimal, hourlyRate: Decimal | null, dp: number): Decimal {
  if (!hourlyRate || minutes.isZero()) return ZERO;
  return minutes.div(60).mul(hourlyRate).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP);
}

/** Gross margin: revenue less cost, and as a percentage of revenue (null without revenue). */
export function margin(revenue: Decimal, cost: Decimal): { amount: Decimal; pct: Decimal | null } {
  const amount = revenue.minus(cost);
  return { amount, pct: revenue.isZero() ? null : amount.div(revenue).mul(100).toDecimalPlaces(1) };
}
