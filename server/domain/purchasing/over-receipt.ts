import { Decimal } from '../decimal';

export type OverReceipt = { over: false } | { over: true; total: Decimal; limit: Decimal; percentOver: Decimal };

/**
 * Receiving more than ordered is normal within the organisation's tolerance (suppliers round
 * up to full packs); beyond it, someone with authority must say yes on the spot.
 */
export function checkOverReceipt(ordered: Decimal, received: Decimal, adding: Decimal, tolerancePct: Decimal): OverReceipt {
  const total = received.plus(adding);
  const limit = ordered.mul(tolerancePct.div(100).plus(1));
  if (total.lte(limit)) return { over: false };
  return { over: true, total, limit, percentOver: total.minus(ordered).div(ordered).mul(100).toDecimalPlaces(1) };
}
