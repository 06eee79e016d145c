import { Decimal, ZERO } from '../decimal';

export type JobDemand = { job: string; topJob: string; due: string; part: string; quantity: Decimal }; // still to allocate
export type IncomingSupply = { po: string; part: string; quantity: Decimal; expected: string | null };
export type Shortage = { part: string; short: Decimal; blocks: { job: string; topJob: string; short: Decimal }[]; coveredBy: string | null };

/**
 * The shortage cascade: open jobs' unallocated leaf demand, earliest due first, netted against
 * free stock, then against open purchase orders. A part is short where stock cannot meet it; the
 * jobs it blocks are named with their top-level job, and so is the earliest PO whose cumulative
 * quantity covers the whole shortage (null when nothing on order does).
 */
export function shortages(demand: readonly JobDemand[], free: ReadonlyMap<string, Decimal>, incoming: readonly IncomingSupply[]): Shortage[] {
  const left = new Map(free);
  const byPart = new Map<string, Shortage>();
  for (const d of [...demand].sort((a, b) => a.due.localeCompare(b.due))) {
    const have = Decimal.max(left.get(d.part) ?? ZERO, ZERO);
    const take = Decimal.min(have, d.quantity);
    left.set(d.part, have.minus(take));
    const short = d.quantity.minus(take);
    if (!short.gt(0)) continue;
    const s = byPart.get(d.part) ?? { part: d.part, short: ZERO, blocks: [], coveredBy: null };
    s.short = s.short.plus(short);
    s.blocks.push({ job: d.job, topJob: d.topJob, short });
    byPart.set(d.part, s);
  }
  for (const s of byPart.values()) s.coveredBy = earliestCovering(s.part, s.short, incoming);
  return [...byPart.values()].sort((a, b) => a.part.localeCompare(b.part));
}

function earliestCovering(part: string, short: Decimal, incoming: readonly IncomingSupply[]): string | null {
  // A PO with no expected date is counted last.
  const when = (i: IncomingSupply) => i.expected ?? '9999-12-31';
  const pos = incoming.filter((i) => i.part === part).sort((a, b) => when(a).localeCompare(when(b)));
  let total = ZERO;
  for (const po of pos) {
    total = total.plus(po.quantity);
    if (total.gte(short)) return po.po;
  }
  return null;
}
