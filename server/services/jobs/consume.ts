import { Trx } from '../../db';
import { Decimal, ZERO, sum } from '../../domain/decimal';
import { Part, Location } from '../../repos/catalogue';
import { FieldProblem, Invalid } from '../../errors';
import { Leg } from '../stock/types';
import { JobRow, JobLineRow, AllocationRow, allocationsOf } from './job-rows';
import { freeAllocations } from './allocation';

/** One line's use at a step or completion: how much goes into the job, how much was scrapped, and from which stock. */
export type PlannedUse = { line: JobLineRow; qty: Decimal; scrapped: Decimal; lots?: { lot: string; quantity: Decimal }[]; serials?: string[]; field: string };

type Source = { lot: string; serial: string | null; qty: Decimal };

/**
 * Turn the uses into outbound legs at the job's location: consumption legs (into WIP) and scrap
 * legs (abnormal loss). The job's own allocation of the stock used is given back first, so the
 * legs draw on it; anything beyond it must be available. Serials allocated to another job are
 * refused, naming the job. Every problem is reported at once, and nothing is written if any.
 */
export async function planLegs(trx: Trx, tenantId: string, job: JobRow, location: Location, parts: Map<string, Part>, uses: PlannedUse[]): Promise<{ consume: Leg[]; scrap: Leg[] }> {
  const allocations = await allocationsOf(trx, tenantId, job.id);
  const problems: FieldProblem[] = [];
  // One after another: a transaction is one connection.
  const sourcesByUse: Source[][] = [];
  for (const u of uses) sourcesByUse.push(await sourcesFor(trx, tenantId, job, parts.get(u.line.partId)!, u, allocations, problems));
  if (problems.length) throw new Invalid(problems);

  const consume: Leg[] = [];
  const scrap: Leg[] = [];
  const freed: { row: AllocationRow; qty: Decimal }[] = [];
  uses.forEach((u, i) => {
    const part = parts.get(u.line.partId)!;
    const own = allocations.filter((a) => a.lineId === u.line.id).map((row) => ({ row, left: row.qty }));
    for (const s of sourcesByUse[i]) {
      let want = s.qty;
      for (const a of own.filter((o) => o.row.lot === s.lot && o.row.serial === s.serial && o.left.gt(0))) {
        const take = Decimal.min(want, a.left);
        a.left = a.left.minus(take);
        freed.push({ row: a.row, qty: take });
        want = want.minus(take);
      }
    }
    // What stays allocated never exceeds what the line still needs.
    let excess = sum(own.map((o) => o.left)).minus(Decimal.max(u.line.required.minus(u.line.consumed).minus(u.qty), ZERO));
    for (const a of [...own].reverse()) {
      if (!excess.gt(0)) break;
      const give = Decimal.min(excess, a.left);
      if (give.gt(0)) freed.push({ row: a.row, qty: give });
      a.left = a.left.minus(give);
      excess = excess.minus(give);
    }
    const [into, lost] = splitSources(sourcesByUse[i], u.qty);
    consume.push(...into.map((s) => leg(u, part, location, s)));
    scrap.push(...lost.map((s) => leg(u, part, location, s)));
  });
  // recordUse updates these lines right after the events, allocated totals included.
  await freeAllocations(trx, tenantId, mergeFreed(freed), { refreshLines: false });
  return { consume, scrap };
}

function leg(u: PlannedUse, part: Part, location: Location, s: Source): Leg {
  const field = s.serial ? `${u.field}.serials` : `${u.field}.quantity`;
  return { dir: 'out', field, part, location, lot: s.lot, serial: s.serial, qty: s.qty, cost: { kind: 'method' } };
}

/** The first `qty` of the sources go into the job, the rest was scrapped. */
function splitSources(sources: Source[], qty: Decimal): [Source[], Source[]] {
  const into: Source[] = [];
  const lost: Source[] = [];
  let left = qty;
  for (const s of sources) {
    const take = Decimal.min(left, s.qty);
    if (take.gt(0)) into.push({ ...s, qty: take });
    if (s.qty.gt(take)) lost.push({ ...s, qty: s.qty.minus(take) });
    left = left.minus(take);
  }
  return [into, lost];
}

async function sourcesFor(trx: Trx, tenantId: string, job: JobRow, part: Part, u: PlannedUse, allocations: AllocationRow[], problems: FieldProblem[]): Promise<Source[]> {
  const total = u.qty.plus(u.scrapped);
  if (!total.gt(0)) return [];
  const own = allocations.filter((a) => a.lineId === u.line.id);
  if (part.tracking === 'serial') return serialSources(trx, tenantId, job, part, u, total, own, problems);
  if (part.tracking === 'lot') {
    if (u.lots?.length) {
      const named = sum(u.lots.map((l) => l.quantity));
      if (!named.eq(total)) problems.push({ field: `${u.field}.lots`, message: `The lots of ${part.sku} add up to ${named.toFixed()}, not the ${total.toFixed()} used` });
      return u.lots.map((l) => ({ lot: l.lot, serial: null, qty: l.quantity }));
    }
    const fromAllocation = ownByLot(own);
    const covered = sum(fromAllocation.map((s) => s.qty));
    if (covered.lt(total)) {
      problems.push({ field: `${u.field}.lots`, message: `Name the batches of ${part.sku} used: only ${covered.toFixed()} of the ${total.toFixed()} is allocated to this job` });
      return [];
    }
    return takeSources(fromAllocation, total);
  }
  return [{ lot: '', serial: null, qty: total }];
}

async function serialSources(trx: Trx, tenantId: string, job: JobRow, part: Part, u: PlannedUse, total: Decimal, own: AllocationRow[], problems: FieldProblem[]): Promise<Source[]> {
  if (!total.isInteger()) {
    problems.push({ field: `${u.field}.quantity`, message: `${part.sku} is serial-tracked: use whole units (got ${total.toFixed()})` });
    return [];
  }
  const count = total.toNumber();
  const serials = u.serials?.length ? u.serials : own.filter((a) => a.serial).slice(0, count).map((a) => a.serial!);
  if (serials.length !== count) {
    problems.push({ field: `${u.field}.serials`, message: `Scan the ${count} serial${count === 1 ? '' : 's'} of ${part.sku} used (${serials.length} given)` });
    return [];
  }
  const dup = serials.find((s, i) => serials.indexOf(s) !== i);
  if (dup) problems.push({ field: `${u.field}.serials`, message: `Serial ${dup} of ${part.sku} is given twice` });
  const elsewhere = await trx('job_allocations as a').join('job_cards as j', function () { this.on('j.tenant_id', 'a.tenant_id').andOn('j.id', 'a.job_id'); })
    .where({ 'a.tenant_id': tenantId, 'a.part_id': part.id }).whereIn('a.serial', serials).whereNot('a.job_id', job.id).select('a.serial', 'j.number');
  for (const e of elsewhere) problems.push({ field: `${u.field}.serials`, message: `Serial ${e.serial} of ${part.sku} is allocated to job ${e.number}; use one allocated to ${job.number} or a free one` });
  const lots = await trx('serials').where({ tenant_id: tenantId, part_id: part.id }).whereIn('serial', serials).select('serial', 'lot');
  const lotOf = new Map(lots.map((r) => [r.serial as string, r.lot as string]));
  return serials.map((serial) => ({ lot: lotOf.get(serial) ?? '', serial, qty: new Decimal(1) }));
}

function ownByLot(own: AllocationRow[]): Source[] {
  const byLot = new Map<string, Decimal>();
  for (const a of own) byLot.set(a.lot, (byLot.get(a.lot) ?? ZERO).plus(a.qty));
  return [...byLot].map(([lot, qty]) => ({ lot, serial: null, qty }));
}

function takeSources(sources: Source[], total: Decimal): Source[] {
  const out: Source[] = [];
  let left = total;
  for (const s of sources) {
    if (!left.gt(0)) break;
    const take = Decimal.min(left, s.qty);
    out.push({ ...s, qty: take });
    left = left.minus(take);
  }
  return out;
}

function mergeFreed(freed: { row: AllocationRow; qty: Decimal }[]): { row: AllocationRow; qty: Decimal }[] {
  const byId = new Map<string, { row: AllocationRow; qty: Decimal }>();
  for (const f of freed) byId.set(f.row.id, { row: f.row, qty: (byId.get(f.row.id)?.qty ?? ZERO).plus(f.qty) });
  return [...byId.values()];
}

