import { Decimal, ZERO } from '../../domain/decimal';
import { BomLine, BomsByParent, explode, leafRequirements, lowLevelCodes } from '../../domain/bom';
import { shortages, IncomingSupply, JobDemand, Shortage } from '../../domain/allocation';

/**
 * The netting behind the shortage cascade, pure (parts are keyed by id). Kept beside the service
 * rather than in server/domain because it only arranges the domain's pieces: explode() and
 * lowLevelCodes() for the structure, shortages() for every netting step.
 *
 * The choice of netting, and why: MRP's level-by-level netting. Every part gets its low-level
 * code (its deepest level under any demanded assembly), and parts are planned in that order, so
 * all the demand for a sub-assembly is gathered before it is netted. A sub-assembly's demand is
 * netted against its own free stock first (earliest due first, as everywhere), and only what stock
 * cannot cover is exploded one level into its components, for the job that needs it. The
 * alternative, exploding every job straight to leaves, would report components short for
 * sub-assemblies already on the shelf. What is left for bought parts (no BOM) is netted against
 * their free stock and open purchase orders by shortages().
 *
 * Quantities follow what a child job would really be: a sub-assembly counted in whole units is
 * made in whole units, and a component counted whole is needed whole (as job lines round).
 */
export type LineDemand = JobDemand & { priority: number };

export type CascadeInput = {
  demand: readonly LineDemand[]; // open job lines' rest, after what their open child jobs will make
  boms: BomsByParent;
  free: ReadonlyMap<string, Decimal>; // on hand less allocated, every location
  incoming: readonly IncomingSupply[];
  wholeUnits: ReadonlySet<string>; // parts counted in whole units
};

/** A made part stock cannot cover for a job, with no open child job making it: it must be made (and its components are what is netted). */
export type ToMake = { part: string; quantity: Decimal; jobs: { job: string; topJob: string; due: string; quantity: Decimal }[] };

export type CascadeResult = { shortages: Shortage[]; toMake: ToMake[] };

const ROOT = '\u0000open jobs';
const ONE = new Decimal(1);

export function cascade(input: CascadeInput): CascadeResult {
  const { boms, free, wholeUnits } = input;
  const made = (part: string) => (boms.get(part)?.length ?? 0) > 0;
  const whole = (part: string, q: Decimal) => (wholeUnits.has(part) ? q.ceil() : q);
  const priority = new Map(input.demand.map((d) => [d.job, d.priority]));
  const order = (items: JobDemand[]) => [...items].sort((a, b) => a.due.localeCompare(b.due) || (priority.get(a.job) ?? 3) - (priority.get(b.job) ?? 3) || a.job.localeCompare(b.job));

  const pending = new Map<string, JobDemand[]>();
  const add = (d: JobDemand) => {
    if (!d.quantity.gt(0)) return;
    const list = pending.get(d.part);
    if (list) list.push(d);
    else pending.set(d.part, [d]);
  };
  input.demand.forEach((d) => add({ job: d.job, topJob: d.topJob, due: d.due, part: d.part, quantity: d.quantity }));

  const toMake: ToMake[] = [];
  for (const part of plannedOrder(boms, [...pending.keys()].filter(made))) {
    const items = pending.get(part);
    if (!items) continue;
    pending.delete(part);
    const [uncovered] = shortages(order(items), new Map([[part, free.get(part) ?? ZERO]]), []);
    if (!uncovered) continue;
    const due = new Map(items.map((d) => [d.job, d.due]));
    const jobs = mergeBlocks(uncovered.blocks).map((b) => ({ job: b.job, topJob: b.topJob, due: due.get(b.job)!, quantity: whole(part, b.short) }));
    toMake.push({ part, quantity: jobs.reduce((s, j) => s.plus(j.quantity), ZERO), jobs });
    // One level only: the components' own netting happens when their turn comes.
    const oneLevel = new Map([[part, boms.get(part)!]]);
    for (const j of jobs) {
      for (const [component, qty] of leafRequirements(explode(oneLevel, part, j.quantity))) add({ job: j.job, topJob: j.topJob, due: j.due, part: component, quantity: whole(component, qty) });
    }
  }
  const leaves = [...pending.values()].flat();
  const found = shortages(order(leaves), free, input.incoming).map((s) => ({ ...s, blocks: mergeBlocks(s.blocks) }));
  return { shortages: found, toMake };
}

/**
 * The made parts in planning order: by low-level code, found by exploding one synthetic root over
 * every demanded assembly, so a part comes after every assembly it is used in.
 */
export function plannedOrder(boms: BomsByParent, demanded: string[]): string[] {
  if (!demanded.length) return [];
  const rootLines: BomLine[] = [...new Set(demanded)].map((component) => ({ parent: ROOT, component, qtyPer: ONE, attritionPct: ZERO, step: null, optional: false, note: '' }));
  const withRoot = new Map(boms);
  withRoot.set(ROOT, rootLines);
  const codes = lowLevelCodes(explode(withRoot, ROOT, ONE));
  codes.delete(ROOT);
  return [...codes].filter(([part]) => (boms.get(part)?.length ?? 0) > 0).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([part]) => part);
}

/** One block per job: shortages() lists one per demand item, and a job can need a part through several lines. */
function mergeBlocks(blocks: Shortage['blocks']): Shortage['blocks'] {
  const byJob = new Map<string, Shortage['blocks'][number]>();
  for (const b of blocks) {
    const seen = byJob.get(b.job);
    byJob.set(b.job, seen ? { ...seen, short: seen.short.plus(b.short) } : { ...b });
  }
  return [...byJob.values()];
}
