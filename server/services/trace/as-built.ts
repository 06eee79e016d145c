import { Db, Trx } from '../../db';
import { Decimal, ZERO, str } from '../../domain/decimal';
import { NotFound } from '../../errors';
import { AsBuilt, Build, BuildEvent, Component, TraceKey } from './types';
import { findPart, movementsOf, makersOf, outputsOf, jobsById, jobEvents, consumedInto, isTracked, keyId, JobRow, ConsumedRow, EventRow } from './queries';

type Q = Db | Trx;

// Deeper than any real product; it only stops a corrupt history (a unit made from itself) looping.
export const MAX_LEVELS = 25;

/**
 * The as-built record of a finished serial: the job that made it, every component consumed into
 * that job (lots and serials as the movements record them) and, for a component serial or lot
 * that a job made, that job's own as-built, level after level; the steps and the completion with
 * who and when; and where the serial went (dispatched to a customer, or consumed into a higher
 * job). Components are the job's: a job that made several units shows everything consumed into
 * all of them, since a step consumes for the job, not for one unit.
 */
export async function asBuilt(db: Q, tenantId: string, partSku: string, serial: string): Promise<AsBuilt> {
  const part = await findPart(db, tenantId, partSku);
  const key: TraceKey = { partId: part.id, serial, lot: '' };
  const made = await makersOf(db, tenantId, [key]);
  const stock = await db('serials as s').leftJoin('locations as l', function () { this.on('l.tenant_id', 's.tenant_id').andOn('l.id', 's.location_id'); })
    .where({ 's.tenant_id': tenantId, 's.part_id': part.id, 's.serial': serial }).first('s.status', 's.lot', 'l.code');
  if (!made.length && !stock) throw new NotFound('Serial', `${serial} of ${part.sku}`);
  const builds = made.length ? await buildTree(db, tenantId, [made[0].jobId]) : new Map<string, Build>();
  const went = await movementsOf(db, tenantId, [key]);
  const users = went.filter((m) => m.kind === 'job_consumption' && m.jobId);
  const usedJobs = await jobsById(db, tenantId, [...new Set(users.map((m) => m.jobId!))]);
  const usedOutputs = await outputsOf(db, tenantId, [...usedJobs.keys()]);
  return {
    part: part.sku,
    name: part.name,
    serial,
    lot: (made[0]?.lot || stock?.lot) || null,
    status: stock?.status ?? 'unknown',
    location: stock?.status === 'in_stock' ? (stock.code ?? null) : null,
    build: made.length ? builds.get(made[0].jobId) ?? null : null,
    dispatches: went.filter((m) => m.dispatch).map((m) => ({ number: m.dispatch!.number, customer: m.dispatch!.customer, occurred_on: m.dispatch!.occurredOn, quantity: str(m.quantity.neg()) })),
    used_in: [...usedJobs.values()].map((j) => ({
      job: j.number, part: j.sku,
      serials: usedOutputs.filter((o) => o.jobId === j.id && o.serial).map((o) => o.serial!),
      quantity: str(users.filter((m) => m.jobId === j.id).reduce((s, m) => s.plus(m.quantity.neg()), ZERO)),
    })),
  };
}

/**
 * As-built records for these jobs and, level by level, for the jobs that made their tracked
 * components: four queries a level. Each record is built fresh along its own path, so a history
 * that loops is cut rather than followed.
 */
export async function buildTree(db: Q, tenantId: string, rootJobIds: string[]): Promise<Map<string, Build>> {
  const jobs = new Map<string, JobRow>();
  const events: EventRow[] = [];
  const consumed: ConsumedRow[] = [];
  const outputs: Awaited<ReturnType<typeof outputsOf>> = [];
  const makers = new Map<string, string[]>(); // component key -> job ids that made it
  let level = [...new Set(rootJobIds)];
  for (let depth = 0; level.length && depth < MAX_LEVELS; depth++) {
    const [j, e, c, o] = [await jobsById(db, tenantId, level), await jobEvents(db, tenantId, level), await consumedInto(db, tenantId, level), await outputsOf(db, tenantId, level)];
    j.forEach((v, k) => jobs.set(k, v));
    events.push(...e);
    consumed.push(...c);
    outputs.push(...o);
    const keys = uniqueKeys(c.filter(isTracked).map((r) => ({ partId: r.partId, serial: r.serial, lot: r.lot })));
    const found = await makersOf(db, tenantId, keys);
    for (const f of found) {
      const id = keyId(keys[f.key]);
      makers.set(id, [...new Set([...(makers.get(id) ?? []), f.jobId])]);
    }
    level = [...new Set(found.map((f) => f.jobId))].filter((id) => !jobs.has(id));
  }

  const assemble = (jobId: string, path: Set<string>): Build => {
    const job = jobs.get(jobId)!;
    const inner = new Set(path).add(jobId);
    const components: Component[] = groupComponents(consumed.filter((c) => c.jobId === jobId)).map((c) => ({
      part: c.sku, name: c.name, tracking: c.tracking, quantity: str(c.quantity), lot: c.lot || null, serial: c.serial, step: c.step, consumed_on: c.occurredOn,
      made_by: isTracked(c) ? (makers.get(keyId({ partId: c.partId, serial: c.serial, lot: c.lot })) ?? []).filter((id) => jobs.has(id) && !inner.has(id)).map((id) => assemble(id, inner)) : [],
    }));
    const mine = outputs.filter((o) => o.jobId === jobId);
    const buildEvents: BuildEvent[] = events.filter((e) => e.jobId === jobId).map((e) => ({
      kind: e.kind, step: e.step, quantity: e.quantity, user: e.user, occurred_on: e.occurredOn, recorded_at: e.recordedAt,
      serials: e.kind === 'completion' ? mine.filter((o) => o.serial && o.eventId === e.eventId).map((o) => o.serial!) : [],
    }));
    return {
      job: {
        number: job.number, part: job.sku, name: job.name, quantity: job.quantity, completed_qty: job.completedQty, status: job.status, customer: job.customer,
        due_on: job.dueOn, released_at: job.releasedAt, completed_at: job.completedAt, parent_job: job.parentJob, top_job: job.topJob,
      },
      units: mine.map((o) => ({ serial: o.serial, lot: o.lot || null, quantity: str(o.quantity) })),
      events: buildEvents,
      components,
    };
  };
  return new Map(rootJobIds.filter((id) => jobs.has(id)).map((id) => [id, assemble(id, new Set())]));
}

function uniqueKeys(keys: TraceKey[]): TraceKey[] {
  const seen = new Map<string, TraceKey>();
  for (const k of keys) seen.set(keyId(k), k);
  return [...seen.values()];
}

/** One row per part, lot, serial and step: a step done in several goes shows once, summed, with its first date. */
function groupComponents(rows: ConsumedRow[]): ConsumedRow[] {
  const out = new Map<string, ConsumedRow>();
  for (const r of rows) {
    const k = `${r.partId}|${r.lot}|${r.serial ?? ''}|${r.step ?? ''}`;
    const seen = out.get(k);
    out.set(k, seen ? { ...seen, quantity: seen.quantity.plus(r.quantity) } : { ...r, quantity: new Decimal(r.quantity) });
  }
  return [...out.values()];
}
