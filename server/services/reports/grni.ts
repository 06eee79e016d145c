import { Db } from '../../db';
import { Decimal, ZERO, str, money } from '../../domain/decimal';
import { moneyPlaces } from '../../repos/tenants';
import { today } from '../../clock';

export type GrniLine = { supplier: string; po_id: string; po_number: string; line_no: number; part: string; part_name: string; unbilled_qty: string; value: string; oldest_receipt: string; age_days: number };
export type GrniReport = { as_at: string; total: string; suppliers: { supplier: string; value: string; lines: GrniLine[] }[] };

/**
 * Goods received not invoiced: what goods-in took into stock (less what went back to the supplier
 * before it was billed) and no bill has yet paid for, by supplier and PO line, at receipt cost,
 * with the age of the oldest unbilled receipt.
 */
export async function grniReport(db: Db, tenantId: string): Promise<GrniReport> {
  const dp = await moneyPlaces(db, tenantId);
  const { rows } = await db.raw(
    `select s.name as supplier, o.id as po_id, o.number as po_number, pl.line_no, p.sku, p.name as part_name,
            sum(r.quantity - r.returned_unbilled_qty - r.billed_qty)::text as qty,
            sum((r.quantity - r.returned_unbilled_qty - r.billed_qty) * r.unit_cost)::text as value,
            min(d.received_on)::text as oldest
       from receipt_lines r
       join deliveries d on d.tenant_id = r.tenant_id and d.id = r.delivery_id
       join purchase_order_lines pl on pl.tenant_id = r.tenant_id and pl.id = r.po_line_id
       join purchase_orders o on o.tenant_id = pl.tenant_id and o.id = pl.po_id
       join suppliers s on s.tenant_id = o.tenant_id and s.id = o.supplier_id
       join parts p on p.tenant_id = pl.tenant_id and p.id = pl.part_id
      where r.tenant_id = ? and r.outcome = 'accepted' and r.undone_at is null and r.billed_qty + r.returned_unbilled_qty < r.quantity
      group by s.name, o.id, o.number, pl.line_no, p.sku, p.name
      order by lower(s.name), o.number, pl.line_no`,
    [tenantId],
  );
  const now = today();
  const bySupplier = new Map<string, { value: Decimal; lines: GrniLine[] }>();
  let total = ZERO;
  for (const r of rows) {
    const value = new Decimal(r.value);
    total = total.plus(value);
    const entry = bySupplier.get(r.supplier) ?? { value: ZERO, lines: [] };
    entry.value = entry.value.plus(value);
    entry.lines.push({ supplier: r.supplier, po_id: r.po_id, po_number: r.po_number, line_no: r.line_no, part: r.sku, part_name: r.part_name, unbilled_qty: str(new Decimal(r.qty)), value: money(value, dp), oldest_receipt: r.oldest, age_days: Math.round((Date.parse(now) - Date.parse(r.oldest)) / 86_400_000) });
    bySupplier.set(r.supplier, entry);
  }
  return { as_at: now, total: money(total, dp), suppliers: [...bySupplier].map(([supplier, e]) => ({ supplier, value: money(e.value, dp), lines: e.lines })) };
}
