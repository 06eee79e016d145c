import { Trx, Db } from '../../db';
import { Decimal } from '../../domain/decimal';
import { isUuid } from '../../domain/ids';
import { NotFound } from '../../errors';

type Q = Trx | Db;

export type JobStatus = 'draft' | 'released' | 'in_progress' | 'completed' | 'closed' | 'cancelled';

export type JobRow = {
  id: string;
  number: string;
  partId: string;
  quantity: Decimal;
  locationId: string;
  customer: string | null;
  dueOn: string;
  priority: number;
  status: JobStatus;
  parentJobId: string | null;
  parentLineId: string | null;
  topJobId: string;
  salePrice: Decimal | null;
  labourRate: Decimal | null;
  materialCost: Decimal;
  labourCost: Decimal;
  scrapCost: Decimal;
  finishedValue: Decimal;
  wipValue: Decimal;
  completedQty: Decimal;
  scrappedQty: Decimal;
};

export type JobLineRow = {
  id: string;
  jobId: string;
  position: number;
  partId: string;
  step: number | null;
  qtyPer: Decimal;
  attritionPct: Decimal;
  required: Decimal;
  allocated: Decimal;
  consumed: Decimal;
  scrapped: Decimal;
  optional: boolean;
  note: string;
};

const dec = (v: unknown) => new Decimal(v as string);
const decOrNull = (v: unknown) => (v === null || v === undefined ? null : new Decimal(v as string));

export function toJob(r: Record<string, any>): JobRow {
  return {
    id: r.id,
    number: r.number,
    partId: r.part_id,
    quantity: dec(r.quantity),
    locationId: r.location_id,
    customer: r.customer,
    dueOn: typeof r.due_on === 'string' ? r.due_on : r.due_on_text,
    priority: r.priority,
    status: r.status,
    parentJobId: r.parent_job_id,
    parentLineId: r.parent_line_id,
    topJobId: r.top_job_id,
    salePrice: decOrNull(r.sale_price),
    labourRate: decOrNull(r.labour_rate),
    materialCost: dec(r.material_cost),
    labourCost: dec(r.labour_cost),
    scrapCost: dec(r.scrap_cost),
    finishedValue: dec(r.finished_value),
    wipValue: dec(r.wip_value),
    completedQty: dec(r.completed_qty),
    scrappedQty: dec(r.scrapped_qty),
  };
}

export function toJobLine(r: Record<string, any>): JobLineRow {
  return {
    id: r.id,
    jobId: r.job_id,
    position: r.position,
    partId: r.part_id,
    step: r.step,
    qtyPer: dec(r.qty_per),
    attritionPct: dec(r.attrition_pct),
    required: dec(r.required_qty),
    allocated: dec(r.allocated_qty),
    consumed: dec(r.consumed_qty),
    scrapped: dec(r.scrapped_qty),
    optional: r.optional,
    note: r.note,
  };
}

/** The job by id or number, locked for the command that changes it (commands on one job queue here). */
export async function lockJob(trx: Trx, tenantId: string, idOrNumber: string): Promise<JobRow> {
  const q = trx('job_cards').where({ tenant_id: tenantId }).select('*', trx.raw('due_on::text as due_on_text')).forUpdate();
  const row = await (isUuid(idOrNumber) ? q.andWhere({ id: idOrNumber }) : q.andWhere({ number: idOrNumber })).first();
  if (!row) throw new NotFound('Job card', idOrNumber);
  return toJob(row);
}

export async function findJob(q: Q, tenantId: string, idOrNumber: string): Promise<JobRow> {
  const query = q('job_cards').where({ tenant_id: tenantId }).select('*', q.raw('due_on::text as due_on_text'));
  const row = await (isUuid(idOrNumber) ? query.andWhere({ id: idOrNumber }) : query.andWhere({ number: idOrNumber })).first();
  if (!row) throw new NotFound('Job card', idOrNumber);
  return toJob(row);
}

export async function jobLines(q: Q, tenantId: string, jobId: string): Promise<JobLineRow[]> {
  return (await q('job_lines').where({ tenant_id: tenantId, job_id: jobId }).orderBy('position')).map(toJobLine);
}

export type AllocationRow = { id: string; jobId: string; lineId: string; partId: string; locationId: string; lot: string; serial: string | null; qty: Decimal };

/** A job's allocations (one indexed read; callers pick the lines they need). */
export async function allocationsOf(q: Q, tenantId: string, jobId: string): Promise<AllocationRow[]> {
  const rows = await q('job_allocations').where({ tenant_id: tenantId, job_id: jobId }).orderBy([{ column: 'lot' }, { column: 'serial' }]);
  return rows.map((r) => ({ id: r.id, jobId: r.job_id, lineId: r.job_line_id, partId: r.part_id, locationId: r.location_id, lot: r.lot, serial: r.serial, qty: dec(r.quantity) }));
}
