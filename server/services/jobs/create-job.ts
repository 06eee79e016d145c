import crypto from 'node:crypto';
import { Db, Trx } from '../../db';
import { Decimal, str, QTY_DP } from '../../domain/decimal';
import { isIsoDate } from '../../domain/dates';
import { MAX_QUANTITY } from '../../domain/numbers';
import { lineRequirement } from '../../domain/jobs';
import { partsAndLocations, partsById, Part, Location } from '../../repos/catalogue';
import { nextDocumentNumber } from '../../repos/numbering';
import { FieldProblem, Invalid } from '../../errors';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { Actor } from '../stock/types';
import { CreateJobInput } from './types';
import { releaseInTransaction } from './release';
import { jobView, JobView } from './views';

export async function createJob(db: Db, actor: Actor, input: CreateJobInput, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) =>
    withIdempotency(trx, actor.tenantId, idem, async (): Promise<JobView> => {
      const id = await insertJob(trx, actor, input, null);
      if (input.release) await releaseInTransaction(trx, actor, id);
      return jobView(trx, actor.tenantId, id);
    }),
  );
}

type Parent = { jobId: string; lineId: string; topJobId: string };

/** The job and its copy of the assembly's BOM (direct lines only: sub-assemblies come from stock or child jobs). */
export async function insertJob(trx: Trx, actor: Actor, input: CreateJobInput, parent: Parent | null): Promise<string> {
  const { part, location } = await resolve(trx, actor.tenantId, input);
  const bom = await trx('bom_lines').where({ tenant_id: actor.tenantId, parent_part_id: part.id }).orderBy('position');
  if (!bom.length) throw Invalid.field('part', `${part.sku} has no bill of materials: add its BOM before making a job card for it`);
  const used = bom.filter((b) => input.includeOptional || !b.optional);
  const components = await partsById(trx, actor.tenantId, used.map((b) => b.component_part_id));
  const id = crypto.randomUUID();
  const number = await nextDocumentNumber(trx, 'job_cards', actor.tenantId, 'J');
  await trx('job_cards').insert({
    tenant_id: actor.tenantId,
    id,
    number,
    part_id: part.id,
    quantity: str(input.quantity),
    location_id: location.id,
    customer: input.customer?.trim() || null,
    due_on: input.dueOn,
    priority: input.priority ?? 3,
    parent_job_id: parent?.jobId ?? null,
    parent_line_id: parent?.lineId ?? null,
    top_job_id: parent?.topJobId ?? id,
    sale_price: input.salePrice ? str(input.salePrice) : null,
    labour_rate: input.labourRate ? str(input.labourRate) : null,
    notes: input.notes ?? '',
    created_by: actor.userId ?? null,
  });
  if (used.length) {
    await trx('job_lines').insert(used.map((b, i) => {
      const line = { qtyPer: new Decimal(b.qty_per), attritionPct: new Decimal(b.attrition_pct) };
      return {
        tenant_id: actor.tenantId, job_id: id, position: i + 1, part_id: b.component_part_id, step: b.step,
        qty_per: b.qty_per, attrition_pct: b.attrition_pct, optional: b.optional, note: b.note,
        required_qty: str(lineRequirement(input.quantity, line, components.get(b.component_part_id)!.fractional)),
      };
    }));
  }
  const steps = [...new Set(used.map((b) => b.step).filter((s): s is number => s !== null))].sort((a, b) => a - b);
  if (steps.length) await trx('job_steps').insert(steps.map((step) => ({ tenant_id: actor.tenantId, job_id: id, step, name: `Step ${step}` })));
  return id;
}

async function resolve(trx: Trx, tenantId: string, input: CreateJobInput): Promise<{ part: Part; location: Location }> {
  const problems: FieldProblem[] = [];
  const { parts, locations } = await partsAndLocations(trx, tenantId, [input.part], input.location ? [input.location] : []);
  const part = parts.get(input.part);
  if (!part) problems.push({ field: 'part', message: `Unknown part ${input.part}` });
  let location: Location | undefined;
  if (input.location) {
    location = locations.get(input.location);
    if (!location) problems.push({ field: 'location', message: `Unknown location ${input.location}` });
  } else if (part) {
    location = await defaultLocation(trx, tenantId, part);
    if (!location) problems.push({ field: 'location', message: 'Add a location before making job cards' });
  }
  const q = input.quantity;
  if (!q.isFinite() || !q.gt(0)) problems.push({ field: 'quantity', message: `Quantity to build must be greater than zero (got ${q.toFixed()})` });
  else if (q.gt(MAX_QUANTITY) || q.decimalPlaces() > QTY_DP) problems.push({ field: 'quantity', message: `Quantity ${q.toFixed()} is out of range` });
  else if (part && (!part.fractional || part.tracking === 'serial') && !q.isInteger()) problems.push({ field: 'quantity', message: `${part.sku} is made in whole ${part.unit}; ${q.toFixed()} is not a whole number` });
  if (!isIsoDate(input.dueOn)) problems.push({ field: 'due_on', message: `${String(input.dueOn).slice(0, 40)} is not a date like 2026-11-25` });
  if (input.priority !== undefined && !(Number.isInteger(input.priority) && input.priority >= 1 && input.priority <= 5)) problems.push({ field: 'priority', message: 'Priority is 1 (most urgent) to 5' });
  for (const [field, v] of [['sale_price', input.salePrice], ['labour_rate', input.labourRate]] as const) {
    if (v && (!v.isFinite() || v.isNeg() || v.gt(MAX_QUANTITY))) problems.push({ field, message: `${field.replace('_', ' ')} must be zero or more (got ${v.toFixed()})` });
  }
  if ((input.customer ?? '').length > 200) problems.push({ field: 'customer', message: 'Customer name is at most 200 characters' });
  if (problems.length) throw new Invalid(problems);
  return { part: part!, location: location! };
}

/** The assembly's default location, else where most of its components are available, else the busiest store. */
async function defaultLocation(trx: Trx, tenantId: string, part: Part): Promise<Location | undefined> {
  const row = part.defaultLocationId
    ? await trx('locations').where({ tenant_id: tenantId, id: part.defaultLocationId }).first()
    : await trx('locations as l').where('l.tenant_id', tenantId)
      .orderByRaw(`(select coalesce(sum(b.on_hand - b.allocated), 0) from stock_balances b join bom_lines m on m.tenant_id = b.tenant_id and m.component_part_id = b.part_id
                     where b.tenant_id = l.tenant_id and b.location_id = l.id and m.parent_part_id = ?) desc,
                   (select count(*) from stock_balances b where b.tenant_id = l.tenant_id and b.location_id = l.id and b.on_hand > 0) desc, l.code`, [part.id]).first('l.*');
  return row ? { id: row.id, code: row.code, name: row.name, warehouse: row.warehouse, bin: row.bin } : undefined;
}
