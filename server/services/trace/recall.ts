import { Db, Trx } from '../../db';
import { Decimal, str } from '../../domain/decimal';
import { Invalid, NotFound } from '../../errors';
import { Recall, RecallDispatch, RecallJob, RecallUnit, TraceKey } from './types';
import { findPart, movementsOf, outputsOf, jobsById, partsById, isTracked, keyId, PartRow, JobRow } from './queries';
import { MAX_LEVELS } from './as-built';

type Q = Db | Trx;

export type RecallInput = { lot?: string; serial?: string };

type Unit = RecallUnit & { key: TraceKey; jobId: string | null };

/**
 * A recall: every job that consumed a lot or serial, every finished unit (serial or lot) those
 * jobs made, then every higher-level job that consumed those units, and so on up, to every
 * customer any of it reached. One level at a time, each level a few queries for all its units.
 * Units with neither serial nor lot cannot be followed by what they are, so their dispatches are
 * found through the job the dispatch names (dispatch_lines.job_id), and no further.
 */
export async function recall(db: Q, tenantId: string, partSku: string, input: RecallInput): Promise<Recall> {
  const lot = input.lot?.trim() || undefined;
  const serial = input.serial?.trim() || undefined;
  if (!lot === !serial) throw Invalid.field('lot', 'Give either a lot or a serial to recall, not both');
  const part = await findPart(db, tenantId, partSku);
  const start: TraceKey = { partId: part.id, serial: serial ?? null, lot: lot ?? '' };
  await mustExist(db, tenantId, part, start);

  const walk: Walk = { jobs: new Map(), units: [], dispatches: [] };
  let frontier: Unit[] = [{ key: start, jobId: null, level: 0, job: '', part: part.sku, name: part.name, serial: start.serial, lot: start.lot || null, quantity: '0', tracked: true, in_stock: '0', consumed_into: [], dispatches: [] }];
  const followed = new Set([keyId(start)]);
  for (let level = 1; frontier.length && level <= MAX_LEVELS; level++) {
    const fresh = await followUses(db, tenantId, walk, frontier, level);
    const made = await unitsMade(db, tenantId, walk, fresh, level);
    frontier = made.filter((u) => u.tracked && !followed.has(keyId(u.key)));
    frontier.forEach((u) => followed.add(keyId(u.key)));
  }
  await fillInStock(db, tenantId, walk.units);
  return {
    part: part.sku, name: part.name, lot: lot ?? null, serial: serial ?? null,
    jobs: [...walk.jobs.values()].map(({ id: _id, ...j }) => j),
    units: walk.units.map(({ key: _key, jobId: _jobId, ...u }) => u),
    dispatches: walk.dispatches,
    customers: [...new Set(walk.dispatches.map((d) => d.customer))].sort((a, b) => a.localeCompare(b)),
  };
}

type Walk = { jobs: Map<string, RecallJob & { id: string }>; units: Unit[]; dispatches: RecallDispatch[] };

/** Where this level's units went: dispatches, and the jobs that consumed them. Returns the jobs met for the first time. */
async function followUses(db: Q, tenantId: string, walk: Walk, frontier: Unit[], level: number): Promise<Map<string, JobRow>> {
  const moves = await movementsOf(db, tenantId, frontier.map((u) => u.key));
  const fresh = await jobsById(db, tenantId, [...new Set(moves.filter((m) => m.jobId && !walk.jobs.has(m.jobId)).map((m) => m.jobId!))]);
  const parts = await partsById(db, tenantId, moves.map((m) => m.partId));
  for (const m of moves) {
    const unit = frontier[m.key];
    if (m.dispatch) {
      walk.dispatches.push({ level: unit.level, number: m.dispatch.number, customer: m.dispatch.customer, occurred_on: m.dispatch.occurredOn, part: unit.part, serial: m.serial, lot: m.lot || null, quantity: str(m.quantity.neg()), job: unit.job || null });
      unit.dispatches = [...new Set([...unit.dispatches, m.dispatch.number])];
      continue;
    }
    // A job met at an earlier level can consume another affected unit too: it is listed once, with all it took.
    const j = m.jobId ? fresh.get(m.jobId) : undefined;
    if (j && !walk.jobs.has(j.id)) walk.jobs.set(j.id, { id: j.id, level, job: j.number, part: j.sku, name: j.name, status: j.status, top_job: j.topJob, consumed: [] });
    const row = m.jobId ? walk.jobs.get(m.jobId) : undefined;
    if (!row) continue;
    row.consumed.push({ part: parts.get(m.partId)!.sku, lot: m.lot || null, serial: m.serial, quantity: str(m.quantity.neg()) });
    unit.consumed_into = [...new Set([...unit.consumed_into, row.job])];
  }
  return fresh;
}

/** What the newly met jobs made: the next level's units (untracked ones with their dispatches found through the job). */
async function unitsMade(db: Q, tenantId: string, walk: Walk, jobs: Map<string, JobRow>, level: number): Promise<Unit[]> {
  const made = await outputsOf(db, tenantId, [...jobs.keys()]);
  const parts = await partsById(db, tenantId, made.map((o) => o.partId));
  const units: Unit[] = made.map((o) => ({
    key: { partId: o.partId, serial: o.serial, lot: o.lot }, jobId: o.jobId, level, job: jobs.get(o.jobId)!.number,
    part: parts.get(o.partId)!.sku, name: parts.get(o.partId)!.name, serial: o.serial, lot: o.lot || null, quantity: str(o.quantity),
    tracked: isTracked(o), in_stock: '0', consumed_into: [], dispatches: [],
  }));
  walk.units.push(...units);
  walk.dispatches.push(...(await untrackedDispatches(db, tenantId, units.filter((u) => !u.tracked))));
  return units;
}

async function mustExist(db: Q, tenantId: string, part: PartRow, key: TraceKey): Promise<void> {
  const q = db('stock_movements').where({ tenant_id: tenantId, part_id: part.id });
  const any = await (key.serial ? q.andWhere('serial', key.serial) : q.andWhere('lot', key.lot)).first('id');
  if (!any) throw key.serial ? new NotFound('Serial', `${key.serial} of ${part.sku}`) : new NotFound('Lot', `${key.lot} of ${part.sku}`);
}

/** Dispatches of untracked finished goods, through the job each dispatch line names. */
async function untrackedDispatches(db: Q, tenantId: string, units: Unit[]): Promise<RecallDispatch[]> {
  if (!units.length) return [];
  const rows = await db('dispatch_lines as l').join('dispatches as d', function () { this.on('d.tenant_id', 'l.tenant_id').andOn('d.id', 'l.dispatch_id'); })
    .where('l.tenant_id', tenantId).whereIn('l.job_id', [...new Set(units.map((u) => u.jobId!))]).orderBy(['d.occurred_on', 'd.number', 'l.line_no'])
    .select('l.job_id', 'l.part_id', 'l.quantity', 'd.number', 'd.customer', db.raw('d.occurred_on::text as occurred_on'));
  return rows.flatMap((r) => {
    const u = units.find((x) => x.jobId === r.job_id && x.key.partId === r.part_id);
    if (!u) return [];
    u.dispatches = [...new Set([...u.dispatches, r.number as string])];
    return [{ level: u.level, number: r.number, customer: r.customer, occurred_on: r.occurred_on, part: u.part, serial: null, lot: null, quantity: str(new Decimal(r.quantity)), job: u.job }];
  });
}

/** What of each unit is still in stock: a serial in stock is 1; a lot, its on-hand everywhere. */
async function fillInStock(db: Q, tenantId: string, units: Unit[]): Promise<void> {
  const tracked = units.filter((u) => u.tracked);
  if (!tracked.length) return;
  const { rows } = await db.raw(
    `select k.i, case when k.serial is not null
                      then (select count(*) from serials s where s.tenant_id = ? and s.part_id = k.part_id and s.serial = k.serial and s.status = 'in_stock')
                      else (select coalesce(sum(b.on_hand), 0) from stock_balances b where b.tenant_id = ? and b.part_id = k.part_id and b.lot = k.lot) end::text as qty
       from json_to_recordset(?::json) as k(i int, part_id uuid, serial text, lot text)`,
    [tenantId, tenantId, JSON.stringify(tracked.map((u, i) => ({ i, part_id: u.key.partId, serial: u.key.serial, lot: u.key.serial ? null : u.key.lot })))],
  );
  for (const r of rows) tracked[r.i].in_stock = str(new Decimal(r.qty));
}
