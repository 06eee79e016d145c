import { Trx, Db } from '../../db';
import { Decimal, ZERO, str, money, sum } from '../../domain/decimal';
import { margin } from '../../domain/jobs';
import { moneyPlaces } from '../../repos/tenants';
import { whereAnyContains } from '../../repos/text-search';
import { findJob, jobLines, allocationsOf, JobStatus } from './job-rows';

type Q = Trx | Db;

export type JobView = Awaited<ReturnType<typeof jobView>>;

/** A job card as the API and the job card page show it: lines with allocation, steps, cost and margin. */
export async function jobView(q: Q, tenantId: string, idOrNumber: string) {
  const job = await findJob(q, tenantId, idOrNumber);
  const dp = await moneyPlaces(q, tenantId);
  const lines = await jobLines(q, tenantId, job.id);
  // One after another: inside a transaction the queries share one connection.
  const parts = await q('parts').where({ tenant_id: tenantId }).whereIn('id', [job.partId, ...lines.map((l) => l.partId)]).select('id', 'sku', 'name', 'tracking', 'unit');
  const location = await q('locations').where({ tenant_id: tenantId, id: job.locationId }).first('code');
  const steps = await q('job_steps').where({ tenant_id: tenantId, job_id: job.id }).orderBy('step');
  const allocations = await allocationsOf(q, tenantId, job.id);
  const children = await q('job_cards as c').join('parts as p', function () { this.on('p.tenant_id', 'c.tenant_id').andOn('p.id', 'c.part_id'); })
    .where({ 'c.tenant_id': tenantId, 'c.parent_job_id': job.id }).orderBy('c.number')
    .select('c.id', 'c.number', 'c.status', 'c.quantity', 'c.parent_line_id', 'p.sku');
  const related = await q('job_cards').where({ tenant_id: tenantId }).whereIn('id', [job.parentJobId, job.topJobId].filter((x): x is string => !!x)).select('id', 'number');
  const outputs = await q('job_outputs').where({ tenant_id: tenantId, job_id: job.id }).orderBy(['serial', 'lot']);
  const events = await q('job_events as e').leftJoin('users as u', 'u.id', 'e.user_id').where({ 'e.tenant_id': tenantId, 'e.job_id': job.id }).orderBy('e.recorded_at').orderByRaw("case e.kind when 'step' then 0 else 1 end").orderBy('e.event_id')
    .select('e.event_id', 'e.kind', 'e.step', 'e.quantity', 'e.labour_minutes', 'e.recorded_at', 'u.email');
  const dispatched = await q('dispatch_lines as l').join('dispatches as d', function () { this.on('d.tenant_id', 'l.tenant_id').andOn('d.id', 'l.dispatch_id'); })
    .where({ 'l.tenant_id': tenantId, 'l.job_id': job.id }).select('d.number', 'd.customer', q.raw('d.occurred_on::text as occurred_on'), 'l.quantity', 'l.unit_price', 'l.cost');
  const made = await q('bom_lines').where({ tenant_id: tenantId }).whereIn('parent_part_id', lines.map((l) => l.partId)).distinct('parent_part_id');
  const partOf = new Map(parts.map((p) => [p.id as string, p]));
  const numberOf = new Map(related.map((r) => [r.id as string, r.number as string]));
  const hasBom = new Set(made.map((m) => m.parent_part_id as string));
  const revenue = sum(dispatched.filter((d) => d.unit_price !== null).map((d) => new Decimal(d.unit_price).mul(d.quantity)));
  const soldCost = sum(dispatched.filter((d) => d.unit_price !== null).map((d) => new Decimal(d.cost)));
  // Planned: what is in the job so far, plus what its lines still need at today's cost.
  const stillToCome = job.salePrice !== null && !['completed', 'closed', 'cancelled'].includes(job.status);
  const costs = stillToCome ? await currentUnitCosts(q, tenantId, lines.map((l) => l.partId)) : new Map<string, Decimal>();
  const toCome = sum(lines.map((l) => Decimal.max(l.required.minus(l.consumed), ZERO).mul(costs.get(l.partId) ?? ZERO)));
  const cost = job.materialCost.plus(job.labourCost).plus(toCome).toDecimalPlaces(dp);
  const planned = job.salePrice ? margin(job.salePrice.mul(job.quantity), cost) : null;
  const actual = dispatched.length ? margin(revenue, soldCost) : null;
  const fgPart = partOf.get(job.partId)!;
  return {
    id: job.id,
    number: job.number,
    status: job.status as JobStatus,
    part: fgPart.sku as string,
    part_name: fgPart.name as string,
    tracking: fgPart.tracking as string,
    quantity: str(job.quantity),
    location: location.code as string,
    customer: job.customer,
    due_on: job.dueOn,
    priority: job.priority,
    parent_job: job.parentJobId ? { id: job.parentJobId, number: numberOf.get(job.parentJobId)! } : null,
    top_job: { id: job.topJobId, number: job.topJobId === job.id ? job.number : numberOf.get(job.topJobId)! },
    completed_qty: str(job.completedQty),
    scrapped_qty: str(job.scrappedQty),
    lines: lines.map((l) => {
      const p = partOf.get(l.partId)!;
      const child = children.find((c) => c.parent_line_id === l.id && !['cancelled'].includes(c.status));
      return {
        id: l.id,
        position: l.position,
        part: p.sku as string,
        part_name: p.name as string,
        tracking: p.tracking as string,
        unit: p.unit as string,
        step: l.step,
        qty_per: str(l.qtyPer),
        attrition_pct: str(l.attritionPct),
        required: str(l.required),
        allocated: str(l.allocated),
        consumed: str(l.consumed),
        scrapped: str(l.scrapped),
        short: str(Decimal.max(l.required.minus(l.consumed).minus(l.allocated), ZERO)),
        optional: l.optional,
        note: l.note,
        made: hasBom.has(l.partId),
        child_job: child ? { id: child.id as string, number: child.number as string, status: child.status as string } : null,
        allocations: allocations.filter((a) => a.lineId === l.id).map((a) => ({ lot: a.lot || null, serial: a.serial, quantity: str(a.qty) })),
      };
    }),
    steps: steps.map((s) => ({ step: s.step as number, name: s.name as string, completed_qty: str(new Decimal(s.completed_qty)), labour_minutes: str(new Decimal(s.labour_minutes)) })),
    children: children.map((c) => ({ id: c.id as string, number: c.number as string, part: c.sku as string, quantity: str(new Decimal(c.quantity)), status: c.status as string })),
    outputs: outputs.map((o) => ({ serial: o.serial as string | null, lot: (o.lot as string) || null, quantity: str(new Decimal(o.quantity)) })),
    costs: {
      material: money(job.materialCost, dp),
      labour: money(job.labourCost, dp),
      scrap: money(job.scrapCost, dp),
      wip: money(job.wipValue, dp),
      finished_value: money(job.finishedValue, dp),
      unit_cost: job.completedQty.gt(0) ? str(job.finishedValue.div(job.completedQty).toDecimalPlaces(4)) : null,
      sale_price: job.salePrice ? str(job.salePrice) : null,
      labour_rate: job.labourRate ? str(job.labourRate) : null,
      planned_margin: planned ? { revenue: money(job.salePrice!.mul(job.quantity), dp), cost: money(cost, dp), amount: money(planned.amount, dp), pct: planned.pct ? str(planned.pct) : null } : null,
      actual_margin: actual ? { revenue: money(revenue, dp), cost: money(soldCost, dp), amount: money(actual.amount, dp), pct: actual.pct ? str(actual.pct) : null } : null,
    },
    dispatches: dispatched.map((d) => ({ number: d.number as string, customer: d.customer as string, occurred_on: d.occurred_on as string, quantity: str(new Decimal(d.quantity)), unit_price: d.unit_price === null ? null : str(new Decimal(d.unit_price)), cost: money(new Decimal(d.cost), dp) })),
    history: events.map((e) => ({ event_id: e.event_id as string, kind: e.kind as string, step: e.step as number | null, quantity: str(new Decimal(e.quantity)), labour_minutes: str(new Decimal(e.labour_minutes)), recorded_at: new Date(e.recorded_at).toISOString(), user: (e.email as string | null) ?? null })),
  };
}

/** Each part's cost today: the value of its stock over its quantity, else its latest layer's cost. */
async function currentUnitCosts(q: Q, tenantId: string, partIds: string[]): Promise<Map<string, Decimal>> {
  const ids = [...new Set(partIds)];
  if (!ids.length) return new Map();
  const open = await q('cost_layers').where({ tenant_id: tenantId }).whereIn('part_id', ids).where('remaining_qty', '>', 0).groupBy('part_id')
    .select('part_id', q.raw('(sum(remaining_value) / sum(remaining_qty))::text as cost'));
  const out = new Map<string, Decimal>(open.map((r: Record<string, string>) => [r.part_id, new Decimal(r.cost)]));
  const missing = ids.filter((id) => !out.has(id));
  if (missing.length) {
    const latest = await q('cost_layers').where({ tenant_id: tenantId }).whereIn('part_id', missing).distinctOn('part_id').orderBy([{ column: 'part_id' }, { column: 'seq', order: 'desc' }]).select('part_id', 'unit_cost');
    for (const r of latest) out.set(r.part_id, new Decimal(r.unit_cost));
  }
  return out;
}

export type JobSummary = {
  id: string; number: string; status: JobStatus; part: string; part_name: string; quantity: string; completed_qty: string;
  customer: string | null; due_on: string; priority: number; child: boolean; short_lines: number;
};

/** The job board: jobs by status, earliest due first, with how many lines are short. */
export async function listJobs(q: Q, tenantId: string, filter: { status?: JobStatus[]; q?: string } = {}): Promise<JobSummary[]> {
  const rows: Record<string, any>[] = await q('job_cards as j')
    .join('parts as p', function () { this.on('p.tenant_id', 'j.tenant_id').andOn('p.id', 'j.part_id'); })
    .where('j.tenant_id', tenantId)
    .modify((b) => { if (filter.status?.length) b.whereIn('j.status', filter.status); })
    .modify((b) => { if (filter.q) whereAnyContains(b, ['j.number', 'p.sku', 'j.customer'], filter.q); })
    .orderBy([{ column: 'j.due_on' }, { column: 'j.priority' }, { column: 'j.number' }])
    .limit(500)
    .select('j.id', 'j.number', 'j.status', 'j.quantity', 'j.completed_qty', 'j.customer', 'j.priority', 'j.parent_job_id', q.raw('j.due_on::text as due_on'), 'p.sku', 'p.name',
      q.raw(`(select count(*) from job_lines l where l.tenant_id = j.tenant_id and l.job_id = j.id and l.required_qty > l.consumed_qty + l.allocated_qty)::int as short_lines`));
  return rows.map((r) => ({
    id: r.id as string,
    number: r.number as string,
    status: r.status as JobStatus,
    part: r.sku as string,
    part_name: r.name as string,
    quantity: str(new Decimal(r.quantity)),
    completed_qty: str(new Decimal(r.completed_qty)),
    customer: r.customer as string | null,
    due_on: r.due_on as string,
    priority: r.priority as number,
    child: r.parent_job_id !== null,
    short_lines: ['released', 'in_progress', 'draft'].includes(r.status) ? (r.short_lines as number) : 0,
  }));
}
