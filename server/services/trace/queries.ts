import { Db, Trx } from '../../db';
import { Decimal, str } from '../../domain/decimal';
import { NotFound } from '../../errors';
import { TraceKey } from './types';

// The reads behind as-built and recall. Each takes a whole set (of keys or jobs), so a trace costs
// a few queries per level of the product structure, not a few per unit.

type Q = Db | Trx;

export type PartRow = { id: string; sku: string; name: string; tracking: string };

export async function findPart(q: Q, tenantId: string, sku: string): Promise<PartRow> {
  const row = await q('parts').where({ tenant_id: tenantId, sku }).first('id', 'sku', 'name', 'tracking');
  if (!row) throw new NotFound('Part', sku);
  return row;
}

export const keyId = (k: TraceKey) => `${k.partId}|${k.serial ?? ''}|${k.serial ? '' : k.lot}`;
/** A unit that can be followed further: it has a serial or a (non-empty) lot. */
export const isTracked = (k: { serial: string | null; lot: string }) => !!k.serial || k.lot !== '';

const keysJson = (keys: TraceKey[]) => JSON.stringify(keys.map((k, i) => ({ i, part_id: k.partId, serial: k.serial, lot: k.serial ? null : k.lot })));
// A key with a serial matches that serial; one without, every movement of its lot.
const KEY_MATCH = 'm.part_id = k.part_id and (case when k.serial is null then m.lot = k.lot else m.serial = k.serial end)';

export type KeyMovement = {
  key: number; // index into the keys given
  partId: string; lot: string; serial: string | null; quantity: Decimal; // as moved: negative out
  kind: 'job_consumption' | 'dispatch';
  occurredOn: string;
  jobId: string | null; step: number | null;
  dispatch: { number: string; customer: string; occurredOn: string } | null;
};

/** Where these serials and lots went: job consumptions and dispatches (events since reversed left out). */
export async function movementsOf(q: Q, tenantId: string, keys: TraceKey[]): Promise<KeyMovement[]> {
  if (!keys.length) return [];
  const { rows } = await q.raw(
    `select k.i, m.part_id, m.lot, m.serial, m.quantity::text as quantity, e.kind, e.occurred_on::text as occurred_on, je.job_id, je.step,
            d.number as dispatch, d.customer, d.occurred_on::text as dispatched_on
       from json_to_recordset(?::json) as k(i int, part_id uuid, serial text, lot text)
       join stock_movements m on m.tenant_id = ? and ${KEY_MATCH}
       join stock_events e on e.tenant_id = m.tenant_id and e.id = m.event_id and e.kind in ('job_consumption', 'dispatch')
       left join job_events je on je.tenant_id = e.tenant_id and je.event_id = e.id
       left join dispatches d on d.tenant_id = e.tenant_id and d.event_id = e.id
      where not exists (select 1 from stock_events r where r.tenant_id = e.tenant_id and r.reverses_event_id = e.id)
      order by m.seq`,
    [keysJson(keys), tenantId],
  );
  return rows.map((r: Record<string, any>) => ({
    key: r.i, partId: r.part_id, lot: r.lot, serial: r.serial, quantity: new Decimal(r.quantity), kind: r.kind, occurredOn: r.occurred_on,
    jobId: r.job_id ?? null, step: r.step ?? null,
    dispatch: r.dispatch ? { number: r.dispatch, customer: r.customer, occurredOn: r.dispatched_on } : null,
  }));
}

export type OutputRow = { key: number; jobId: string; eventId: string; partId: string; serial: string | null; lot: string; quantity: Decimal };

/** The jobs that made these serials and lots. */
export async function makersOf(q: Q, tenantId: string, keys: TraceKey[]): Promise<OutputRow[]> {
  if (!keys.length) return [];
  const { rows } = await q.raw(
    `select k.i, m.job_id, m.event_id, m.part_id, m.serial, m.lot, m.quantity::text as quantity
       from json_to_recordset(?::json) as k(i int, part_id uuid, serial text, lot text)
       join job_outputs m on m.tenant_id = ? and ${KEY_MATCH}`,
    [keysJson(keys), tenantId],
  );
  return rows.map((r: Record<string, any>) => ({ key: r.i, jobId: r.job_id, eventId: r.event_id, partId: r.part_id, serial: r.serial, lot: r.lot, quantity: new Decimal(r.quantity) }));
}

/** Everything these jobs made, one row per serial or lot. */
export async function outputsOf(q: Q, tenantId: string, jobIds: string[]): Promise<Omit<OutputRow, 'key'>[]> {
  if (!jobIds.length) return [];
  const rows = await q('job_outputs').where({ tenant_id: tenantId }).whereIn('job_id', jobIds).orderBy(['job_id', 'serial', 'lot']).select('job_id', 'event_id', 'part_id', 'serial', 'lot', q.raw('quantity::text as quantity'));
  return rows.map((r) => ({ jobId: r.job_id, eventId: r.event_id, partId: r.part_id, serial: r.serial, lot: r.lot, quantity: new Decimal(r.quantity) }));
}

export type JobRow = {
  id: string; number: string; partId: string; sku: string; name: string; quantity: string; completedQty: string; status: string; customer: string | null;
  dueOn: string; releasedAt: string | null; completedAt: string | null; parentJob: string | null; topJob: string;
};

export async function jobsById(q: Q, tenantId: string, ids: string[]): Promise<Map<string, JobRow>> {
  if (!ids.length) return new Map();
  const rows = await q('job_cards as j')
    .join('parts as p', function () { this.on('p.tenant_id', 'j.tenant_id').andOn('p.id', 'j.part_id'); })
    .join('job_cards as t', function () { this.on('t.tenant_id', 'j.tenant_id').andOn('t.id', 'j.top_job_id'); })
    .leftJoin('job_cards as pj', function () { this.on('pj.tenant_id', 'j.tenant_id').andOn('pj.id', 'j.parent_job_id'); })
    .where('j.tenant_id', tenantId).whereIn('j.id', ids)
    .select('j.id', 'j.number', 'j.part_id', 'p.sku', 'p.name', 'j.quantity', 'j.completed_qty', 'j.status', 'j.customer', q.raw('j.due_on::text as due_on'),
      'j.released_at', 'j.completed_at', 'pj.number as parent_number', 't.number as top_number');
  return new Map(rows.map((r) => [r.id, {
    id: r.id, number: r.number, partId: r.part_id, sku: r.sku, name: r.name, quantity: str(new Decimal(r.quantity)), completedQty: str(new Decimal(r.completed_qty)),
    status: r.status, customer: r.customer, dueOn: r.due_on, releasedAt: iso(r.released_at), completedAt: iso(r.completed_at), parentJob: r.parent_number ?? null, topJob: r.top_number,
  }]));
}

export type EventRow = { jobId: string; eventId: string; kind: 'step' | 'scrap' | 'completion'; step: number | null; quantity: string; user: string | null; occurredOn: string; recordedAt: string };

/** The jobs' recorded events (steps, scrap, completions) with who recorded them, oldest first. */
export async function jobEvents(q: Q, tenantId: string, jobIds: string[]): Promise<EventRow[]> {
  if (!jobIds.length) return [];
  const rows = await q('job_events as je')
    .join('stock_events as e', function () { this.on('e.tenant_id', 'je.tenant_id').andOn('e.id', 'je.event_id'); })
    .leftJoin('users as u', function () { this.on('u.tenant_id', 'je.tenant_id').andOn('u.id', 'je.user_id'); })
    .where('je.tenant_id', tenantId).whereIn('je.job_id', jobIds).orderBy(['je.recorded_at', 'e.seq'])
    .select('je.job_id', 'je.event_id', 'je.kind', 'e.kind as event_kind', 'je.step', 'je.quantity', 'u.email', q.raw('e.occurred_on::text as occurred_on'), 'je.recorded_at');
  return rows.map((r) => ({
    jobId: r.job_id, eventId: r.event_id, kind: r.kind === 'completion' ? 'completion' : r.event_kind === 'issue' ? 'scrap' : 'step',
    step: r.step, quantity: str(new Decimal(r.quantity)), user: r.email ?? null, occurredOn: r.occurred_on, recordedAt: iso(r.recorded_at)!,
  }));
}

export type ConsumedRow = { jobId: string; partId: string; sku: string; name: string; tracking: string; lot: string; serial: string | null; quantity: Decimal; step: number | null; occurredOn: string };

/** What was consumed into these jobs (their job_consumption events' movements, reversed events left out). */
export async function consumedInto(q: Q, tenantId: string, jobIds: string[]): Promise<ConsumedRow[]> {
  if (!jobIds.length) return [];
  const { rows } = await q.raw(
    `select je.job_id, m.part_id, p.sku, p.name, p.tracking, m.lot, m.serial, (-m.quantity)::text as quantity, je.step, m.occurred_on::text as occurred_on
       from job_events je
       join stock_events e on e.tenant_id = je.tenant_id and e.id = je.event_id and e.kind = 'job_consumption'
       join stock_movements m on m.tenant_id = e.tenant_id and m.event_id = e.id
       join parts p on p.tenant_id = m.tenant_id and p.id = m.part_id
      where je.tenant_id = ? and je.job_id in (select json_array_elements_text(?::json)::uuid)
        and not exists (select 1 from stock_events r where r.tenant_id = e.tenant_id and r.reverses_event_id = e.id)
      order by m.seq`,
    [tenantId, JSON.stringify(jobIds)],
  );
  return rows.map((r: Record<string, any>) => ({
    jobId: r.job_id, partId: r.part_id, sku: r.sku, name: r.name, tracking: r.tracking, lot: r.lot, serial: r.serial, quantity: new Decimal(r.quantity), step: r.step, occurredOn: r.occurred_on,
  }));
}

export async function partsById(q: Q, tenantId: string, ids: string[]): Promise<Map<string, PartRow>> {
  if (!ids.length) return new Map();
  const rows = await q('parts').where({ tenant_id: tenantId }).whereIn('id', [...new Set(ids)]).select('id', 'sku', 'name', 'tracking');
  return new Map(rows.map((r) => [r.id, r]));
}

function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}
