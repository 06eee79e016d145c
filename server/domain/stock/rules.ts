import { Decimal } from '../decimal';
import { InsufficientStock, PeriodClosed } from '../../errors';

/** Refuse to take more than is available (on hand less what is allocated to jobs). */
export function assertAvailable(
  a: { part: string; location: string; lot?: string; onHand: Decimal; allocated: Decimal; requested: Decimal },
  field = 'quantity',
): void {
  const available = a.onHand.minus(a.allocated);
  if (available.gte(a.requested)) return;
  throw new InsufficientStock(
    {
      part: a.part,
      location: a.location,
      lot: a.lot,
      onHand: a.allocated.isZero() ? a.onHand.toFixed() : `${a.onHand.toFixed()} (${a.allocated.toFixed()} allocated to jobs)`,
      requested: a.requested.toFixed(),
      shortBy: a.requested.minus(available).toFixed(),
    },
    field,
  );
}

/** Dates are ISO 'YYYY-MM-DD', so string order is date order. */
export function assertOpenPeriod(date: string, lockDate: string | null): void {
  if (lockDate && date <= lockDate) throw new PeriodClosed(date, lockDate);
}
