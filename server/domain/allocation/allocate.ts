import { Decimal, ZERO } from '../decimal';

export type Requirement = { key: string; part: string; quantity: Decimal }; // key: the job line
export type Allocation = { key: string; part: string; allocated: Decimal; short: Decimal };

/**
 * Hard allocation of what is available (on hand less already allocated) to a job's lines, in the
 * order given (the caller orders by priority). Never more than available: what cannot be
 * allocated is the line's shortage. `available` is not changed; the remainder is returned.
 */
export function allocate(requirements: readonly Requirement[], available: ReadonlyMap<string, Decimal>): { allocations: Allocation[]; remaining: Map<string, Decimal> } {
  const remaining = new Map(available);
  const allocations = requirements.map((r) => {
    const free = Decimal.max(remaining.get(r.part) ?? ZERO, ZERO);
    const allocated = Decimal.min(free, r.quantity);
    remaining.set(r.part, free.minus(allocated));
    return { key: r.key, part: r.part, allocated, short: r.quantity.minus(allocated) };
  });
  return { allocations, remaining };
}
