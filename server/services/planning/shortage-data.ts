import { Db, Trx } from '../../db';
import { Decimal } from '../../domain/decimal';
import { BomLine } from '../../domain/bom';
import { IncomingSupply } from '../../domain/allocation';

// The shortage cascade's reads: a handful of set-based queries for all open jobs at once.

type Q = Db | Trx;

export const OPEN = ['released', 'in_progress'];

export type OpenLine = {
  jobId: string;
  job: string;
  due: string;
  priority: number;
  topJobId: string;
  topJob: string;
  partId: string;
  lacks: Decimal; // required less consumed and allocated
  coming: Decimal; // what the line's open child jobs will still make
};

export type TopJob = { id: string; number: string; part: string; partName: string; due: string; customer: string | null; status: string };

/**
 * Every open job's lines that still lack something, with what their open child jobs will still
 * make (quantity less completed and scrapped: a child's output is allocated to the line as it
 * completes, so the two never count the same units twice). A draft child job is not counted: it
 * commits nothing until released, and its own lines are not in the cascade either.
 */
export async function openLines(q: Q, tenantId: string): Promise<OpenLine[]> {
  const { rows } = await q.raw(
    `with open_jobs as (select * from job_cards where tenant_id = ? and status in ('released', 'in_progress')),
          coming as (select parent_line_id, sum(quantity - completed_qty - scrapped_qty) as qty from open_jobs where parent_line_id is not null group by parent_line_id)
     select j.id as job_id, j.number as job, j.due_on::text as due, j.priority, j.top_job_id, t.number as top_job, l.part_id,
            (l.required_qty - l.consumed_qty - l.allocated_qty)::text as lacks, coalesce(c.qty, 0)::text as coming
       from open_jobs j
       join job_lines l on l.tenant_id = j.tenant_id and l.job_id = j.id
       join job_cards t on t.tenant_id = j.tenant_id and t.id = j.top_job_id
       left join coming c on c.parent_line_id = l.id
      where l.required_qty - l.consumed_qty - l.allocated_qty > 0
      order by j.due_on, j.priority, j.number, l.position`,
    [tenantId],
  );
  return rows.map((r: Record<string, any>) => ({
    jobId: r.job_id, job: r.job, due: r.due, priority: r.priority, topJobId: r.top_job_id, topJob: r.top_job, partId: r.part_id,
    lacks: new Decimal(r.lacks), coming: new Decimal(r.coming),
  }));
}

export async function countOpenJobs(q: Q, tenantId: string): Promise<number> {
  const row = await q('job_cards').where({ tenant_id: tenantId }).whereIn('status', OPEN).count<{ n: number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** The BOM lines of these parts and of every assembly below them, keyed by part id. */
export async function bomsBelow(q: Q, tenantId: string, partIds: string[]): Promise<BomLine[]> {
  if (!partIds.length) return [];
  const { rows } = await q.raw(
    `with recursive below(part_id) as (
        select json_array_elements_text(?::json)::uuid
        union
        select b.component_part_id from bom_lines b join below on b.parent_part_id = below.part_id where b.tenant_id = ?)
     select b.parent_part_id, b.component_part_id, b.qty_per::text as qty_per, b.attrition_pct::text as attrition_pct, b.step, b.optional, b.note
       from bom_lines b where b.tenant_id = ? and b.parent_part_id in (select part_id from below)
      order by b.parent_part_id, b.position`,
    [JSON.stringify([...new Set(partIds)]), tenantId, tenantId],
  );
  return rows.map((r: Record<string, any>) => ({
    parent: r.parent_part_id, component: r.component_part_id, qtyPer: new Decimal(r.qty_per), attritionPct: new Decimal(r.attrition_pct), step: r.step, optional: r.optional, note: r.note,
  }));
}

export type PartFigures = { id: string; sku: string; name: string; unit: string; whole: boolean; free: Decimal; onOrder: Decimal };

/** Each part's free stock (on hand less allocated, all locations) and what is on open purchase orders. */
export async function partFigures(q: Q, tenantId: string, partIds: string[]): Promise<Map<string, PartFigures>> {
  if (!partIds.length) return new Map();
  const { rows } = await q.raw(
    `with ids as (select json_array_elements_text(?::json)::uuid as id),
          stock as (select b.part_id, sum(b.on_hand - b.allocated) as free from stock_balances b where b.tenant_id = ? and b.part_id in (select id from ids) group by b.part_id),
          ordered as (select l.part_id, sum(l.ordered_qty - l.received_qty) as qty from purchase_order_lines l
                        join purchase_orders o on o.tenant_id = l.tenant_id and o.id = l.po_id and o.status = 'open'
                       where l.tenant_id = ? and l.part_id in (select id from ids) and l.ordered_qty > l.received_qty group by l.part_id)
     select p.id, p.sku, p.name, p.unit, p.fractional, p.tracking, coalesce(s.free, 0)::text as free, coalesce(o.qty, 0)::text as on_order
       from parts p left join stock s on s.part_id = p.id left join ordered o on o.part_id = p.id
      where p.tenant_id = ? and p.id in (select id from ids)`,
    [JSON.stringify([...new Set(partIds)]), tenantId, tenantId, tenantId],
  );
  return new Map(rows.map((r: Record<string, any>) => [r.id, {
    id: r.id, sku: r.sku, name: r.name, unit: r.unit, whole: !r.fractional || r.tracking === 'serial', free: new Decimal(r.free), onOrder: new Decimal(r.on_order),
  }]));
}

export type PoRef = { id: string; number: string; expected: string | null };

/** Open purchase order lines still to arrive for these parts, in stock units, earliest expected first. */
export async function incomingFor(q: Q, tenantId: string, partIds: string[]): Promise<{ incoming: IncomingSupply[]; pos: Map<string, PoRef> }> {
  if (!partIds.length) return { incoming: [], pos: new Map() };
  const { rows } = await q.raw(
    `select o.id, o.number, o.expected_date::text as expected, l.part_id, (l.ordered_qty - l.received_qty)::text as qty
       from purchase_order_lines l join purchase_orders o on o.tenant_id = l.tenant_id and o.id = l.po_id
      where l.tenant_id = ? and o.status = 'open' and l.ordered_qty > l.received_qty and l.part_id in (select json_array_elements_text(?::json)::uuid)
      order by o.expected_date nulls last, o.order_date, o.number, l.line_no`,
    [tenantId, JSON.stringify([...new Set(partIds)])],
  );
  const pos = new Map<string, PoRef>();
  for (const r of rows) pos.set(r.number, { id: r.id, number: r.number, expected: r.expected });
  return { incoming: rows.map((r: Record<string, any>) => ({ po: r.number, part: r.part_id, quantity: new Decimal(r.qty), expected: r.expected })), pos };
}

/** The top-level jobs named, for the per-job summary. */
export async function topJobs(q: Q, tenantId: string, ids: string[]): Promise<Map<string, TopJob>> {
  if (!ids.length) return new Map();
  const rows = await q('job_cards as j').join('parts as p', function () { this.on('p.tenant_id', 'j.tenant_id').andOn('p.id', 'j.part_id'); })
    .where('j.tenant_id', tenantId).whereIn('j.id', [...new Set(ids)])
    .select('j.id', 'j.number', 'p.sku', 'p.name', q.raw('j.due_on::text as due'), 'j.customer', 'j.status');
  return new Map(rows.map((r) => [r.id, { id: r.id, number: r.number, part: r.sku, partName: r.name, due: r.due, customer: r.customer, status: r.status }]));
}
