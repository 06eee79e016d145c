import { Trx, Db } from '../../db';
import { Decimal } from '../../domain/decimal';
import { StockPosition } from '../../domain/purchasing';

type Q = Trx | Db;

/**
 * Each part's stock position across locations: on hand, allocated, on order (open PO lines not
 * yet received) and demand: what draft, released and in-progress job cards still need of it
 * beyond what is consumed into them or already allocated to them (allocated stock is counted
 * once, in allocated; a line never counts below zero).
 */
export async function stockPositions(q: Q, tenantId: string, partIds: string[]): Promise<Map<string, StockPosition>> {
  const ids = [...new Set(partIds)];
  const { rows } = await q.raw(
    `select p.id,
            coalesce((select sum(on_hand) from stock_balances b where b.tenant_id = p.tenant_id and b.part_id = p.id), 0)::text as on_hand,
            coalesce((select sum(allocated) from stock_balances b where b.tenant_id = p.tenant_id and b.part_id = p.id), 0)::text as allocated,
            coalesce((select sum(greatest(l.ordered_qty - l.received_qty, 0)) from purchase_order_lines l
                        join purchase_orders o on o.tenant_id = l.tenant_id and o.id = l.po_id and o.status = 'open'
                       where l.tenant_id = p.tenant_id and l.part_id = p.id), 0)::text as on_order,
            coalesce((select sum(greatest(jl.required_qty - jl.consumed_qty - jl.allocated_qty, 0)) from job_lines jl
                        join job_cards j on j.tenant_id = jl.tenant_id and j.id = jl.job_id and j.status in ('draft', 'released', 'in_progress')
                       where jl.tenant_id = p.tenant_id and jl.part_id = p.id), 0)::text as demand
       from parts p where p.tenant_id = ? and p.id in (select json_array_elements_text(?::json)::uuid)`,
    [tenantId, JSON.stringify(ids)],
  );
  const out = new Map<string, StockPosition>();
  for (const r of rows) out.set(r.id, { onHand: new Decimal(r.on_hand), allocated: new Decimal(r.allocated), onOrder: new Decimal(r.on_order), demand: new Decimal(r.demand) });
  return out;
}
