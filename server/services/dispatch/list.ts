import { Db, Trx } from '../../db';
import { Decimal, money } from '../../domain/decimal';
import { moneyPlaces } from '../../repos/tenants';
import { whereAnyContains } from '../../repos/text-search';

/** Dispatches, newest first, with their units, cost and the jobs and parts they shipped. */
export async function listDispatches(q: Db | Trx, tenantId: string, filter: { q?: string; limit?: number } = {}) {
  const dp = await moneyPlaces(q, tenantId);
  const rows = await q('dispatches as d')
    .where('d.tenant_id', tenantId)
    .modify((b) => { if (filter.q) whereAnyContains(b, ['d.number', 'd.customer', 'd.reference'], filter.q); })
    .orderBy([{ column: 'd.occurred_on', order: 'desc' }, { column: 'd.number', order: 'desc' }])
    .limit(filter.limit ?? 200)
    .select('d.id', 'd.number', 'd.customer', 'd.reference', q.raw('d.occurred_on::text as occurred_on'), 'd.event_id',
      q.raw(`(select coalesce(sum(l.quantity), 0)::text from dispatch_lines l where l.tenant_id = d.tenant_id and l.dispatch_id = d.id) as units`),
      q.raw(`(select coalesce(sum(l.cost), 0)::text from dispatch_lines l where l.tenant_id = d.tenant_id and l.dispatch_id = d.id) as cost`),
      q.raw(`(select coalesce(string_agg(distinct p.sku, ', ' order by p.sku), '') from dispatch_lines l join parts p on p.tenant_id = l.tenant_id and p.id = l.part_id
               where l.tenant_id = d.tenant_id and l.dispatch_id = d.id) as parts`),
      q.raw(`(select coalesce(string_agg(distinct j.number, ', ' order by j.number), '') from dispatch_lines l join job_cards j on j.tenant_id = l.tenant_id and j.id = l.job_id
               where l.tenant_id = d.tenant_id and l.dispatch_id = d.id) as jobs`));
  return rows.map((r: Record<string, any>) => ({
    id: r.id as string,
    number: r.number as string,
    customer: r.customer as string,
    reference: r.reference as string,
    occurred_on: r.occurred_on as string,
    event_id: r.event_id as string,
    units: new Decimal(r.units).toFixed(),
    cost: money(new Decimal(r.cost), dp),
    parts: r.parts ? String(r.parts).split(', ') : [],
    jobs: r.jobs ? String(r.jobs).split(', ') : [],
  }));
}

export type DispatchSummary = Awaited<ReturnType<typeof listDispatches>>[number];
