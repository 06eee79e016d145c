import { Trx, Db } from '../../db';
import { isUuid } from '../../domain/ids';
import { Decimal, str, money, sum } from '../../domain/decimal';
import { NotFound } from '../../errors';
import { journalForEvent } from '../../repos/journals';
import { moneyPlaces } from '../../repos/tenants';
import { JournalView } from '../stock/types';

type Q = Trx | Db;
const d = (v: unknown) => new Decimal(v as string);

export type BillMatchView = { receipt_line_id: string; po_id: string; po_number: string; quantity: string; receipt_unit_cost: string; bill_unit_cost: string; revalued: string; variance: string };
export type BillLineView = {
  id: string;
  line_no: number;
  part: string | null;
  description: string;
  quantity: string;
  unit_price: string;
  tax_rate: string;
  account_code: string;
  matched_qty: string;
  flags: { code: string; message: string }[];
  matches: BillMatchView[];
};
export type BillView = {
  id: string;
  number: string;
  reference: string;
  supplier: string;
  date: string;
  currency: string;
  currency_rate: string;
  amounts: string;
  lines: BillLineView[];
  revalued: string; // on stock still on hand
  variance: string; // to purchase price variance
  event_id: string | null;
  journal: JournalView | null;
};
export type BillSummary = { id: string; number: string; reference: string; supplier: string; date: string; currency: string; lines: number; flagged_lines: number; event_id: string | null };

export async function billView(q: Q, tenantId: string, billId: string): Promise<BillView> {
  if (!isUuid(billId)) throw new NotFound('Bill', billId);
  const bill = await q('bills as b').join('suppliers as s', (j) => j.on('s.id', 'b.supplier_id').andOn('s.tenant_id', 'b.tenant_id'))
    .where({ 'b.tenant_id': tenantId, 'b.id': billId }).first('b.*', 's.name as supplier');
  if (!bill) throw new NotFound('Bill', billId);
  const dp = await moneyPlaces(q, tenantId);
  const lines = await q('bill_lines as l').leftJoin('parts as p', (j) => j.on('p.id', 'l.part_id').andOn('p.tenant_id', 'l.tenant_id'))
    .where({ 'l.tenant_id': tenantId, 'l.bill_id': billId }).orderBy('l.line_no').select('l.*', 'p.sku');
  const matches = await q('bill_matches as m')
    .join('receipt_lines as r', (j) => j.on('r.id', 'm.receipt_line_id').andOn('r.tenant_id', 'm.tenant_id'))
    .join('purchase_order_lines as pl', (j) => j.on('pl.id', 'r.po_line_id').andOn('pl.tenant_id', 'r.tenant_id'))
    .join('purchase_orders as o', (j) => j.on('o.id', 'pl.po_id').andOn('o.tenant_id', 'pl.tenant_id'))
    .where('m.tenant_id', tenantId).whereIn('m.bill_line_id', lines.map((l) => l.id))
    .select('m.*', 'o.id as po_id', 'o.number as po_number');
  const lineViews = lines.map((l) => {
    const own = matches.filter((m) => m.bill_line_id === l.id);
    const codes: string[] = l.flag ? l.flag.split(',') : [];
    const messages: string[] = l.flag_message ? JSON.parse(l.flag_message) : [];
    return {
      id: l.id,
      line_no: l.line_no,
      part: l.sku ?? null,
      description: l.description,
      quantity: str(d(l.quantity)),
      unit_price: str(d(l.unit_price)),
      tax_rate: str(d(l.tax_rate)),
      account_code: l.account_code,
      matched_qty: str(d(l.matched_qty)),
      flags: codes.map((code, i) => ({ code, message: messages[i] ?? '' })),
      matches: own.map((m) => {
        return { receipt_line_id: m.receipt_line_id, po_id: m.po_id, po_number: m.po_number, quantity: str(d(m.quantity)), receipt_unit_cost: str(d(m.receipt_unit_cost)), bill_unit_cost: str(d(m.bill_unit_cost)), revalued: money(d(m.revalued), dp), variance: money(d(m.variance), dp) };
      }),
    };
  });
  return {
    id: bill.id,
    number: bill.number,
    reference: bill.reference,
    supplier: bill.supplier,
    date: bill.bill_date,
    currency: bill.currency,
    currency_rate: str(d(bill.currency_rate)),
    amounts: bill.amounts,
    lines: lineViews,
    // Totals from the exact amounts, rounded once (not a sum of rounded lines).
    revalued: money(sum(matches.map((m) => d(m.revalued))), dp),
    variance: money(sum(matches.map((m) => d(m.variance))), dp),
    event_id: bill.event_id,
    journal: bill.event_id ? await journalForEvent(q, tenantId, bill.event_id) : null,
  };
}

export async function listBills(q: Q, tenantId: string, limit = 200): Promise<BillSummary[]> {
  const rows = await q('bills as b').join('suppliers as s', (j) => j.on('s.id', 'b.supplier_id').andOn('s.tenant_id', 'b.tenant_id'))
    .leftJoin(q('bill_lines').where({ tenant_id: tenantId }).groupBy('bill_id').select('bill_id', q.raw('count(*)::int as lines'), q.raw('count(flag)::int as flagged')).as('l'), 'l.bill_id', 'b.id')
    .where('b.tenant_id', tenantId).orderBy([{ column: 'b.bill_date', order: 'desc' }, { column: 'b.created_at', order: 'desc' }]).limit(limit)
    .select('b.id', 'b.number', 'b.reference', 's.name as supplier', 'b.bill_date', 'b.currency', 'b.event_id', 'l.lines', 'l.flagged');
  return rows.map((r) => ({ id: r.id, number: r.number, reference: r.reference, supplier: r.supplier, date: r.bill_date, currency: r.currency, lines: r.lines ?? 0, flagged_lines: r.flagged ?? 0, event_id: r.event_id }));
}
