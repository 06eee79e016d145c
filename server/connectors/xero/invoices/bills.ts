import { Db } from '../../../db';
import { Decimal } from '../../../domain/decimal';
import { Conflict, DomainError } from '../../../errors';
import { getTenantWithMapping } from '../../../repos/tenants';
import { recordBill } from '../../../services/bills/record-bill';
import { BillView } from '../../../services/bills/views';
import { hashRequest } from '../../../services/idempotency';
import { BillInput } from '../../../services/purchasing/types';
import { Actor } from '../../../services/stock/types';
import { ExternalDocument } from './documents';
import { explain, Result } from './outcomes';
import { APPROVED, AWAITING_APPROVAL, CANCELLED, isTextLine, XeroInvoice, XeroLine } from './xero-invoice';

type Mapped = { input: BillInput; xeroLines: XeroLine[]; problems: string[]; notes: string[] };

/**
 * A supplier bill from Xero. Approved (AUTHORISED or PAID), it is recorded once through
 * recordBill, which matches it to goods-in by supplier, the PO number in its Reference and part,
 * and journals any price difference. The idempotency key is the InvoiceID and is stored in the
 * bill's own transaction, so a redelivered event, or a retry after a crash that came after the
 * commit, replays the bill instead of recording it again.
 */
export async function billOutcome(db: Db, actor: Actor, inv: XeroInvoice, existing: ExternalDocument | null): Promise<Result> {
  if (existing?.outcome === 'recorded' && existing.localId) return afterRecording(db, actor, inv, existing);
  if (AWAITING_APPROVAL.has(inv.status)) return { outcome: 'listed', message: `${inv.status} in Xero: recorded here once it is approved` };
  if (CANCELLED.has(inv.status)) return { outcome: 'skipped', message: `${inv.status} in Xero before it was approved: nothing recorded` };
  if (!APPROVED.has(inv.status)) return { outcome: 'skipped', message: `Xero status ${inv.status || 'missing'}: nothing recorded` };
  const mapped = await toBillInput(db, actor.tenantId, inv);
  if (mapped.problems.length) return { outcome: 'failed', message: mapped.problems.join('; ') };
  try {
    const { body } = await recordBill(db, actor, mapped.input, { key: `xero-bill:${inv.id}`, requestHash: hashRequest(['xero-bill', inv.id]) });
    return { outcome: 'recorded', localId: body.id, message: [...mapped.notes, ...flagsOf(body)].join('; ') };
  } catch (err) {
    if (err instanceof Conflict) return alreadyRecorded(db, actor.tenantId, mapped.input, inv, err);
    if (err instanceof DomainError) return { outcome: 'failed', message: explain(err, mapped.xeroLines) };
    throw err;
  }
}

/** The supplier linked to the Xero contact (by ContactID) keeps its name; otherwise Xero's name. */
async function supplierName(db: Db, tenantId: string, inv: XeroInvoice): Promise<string> {
  const linked = inv.contactId ? await db('suppliers').where({ tenant_id: tenantId, external_id: inv.contactId }).first('name') : null;
  return (linked?.name as string | undefined) ?? inv.contactName;
}

export async function toBillInput(db: Db, tenantId: string, inv: XeroInvoice): Promise<Mapped> {
  const { mapping } = await getTenantWithMapping(db, tenantId);
  const xeroLines = inv.lines.filter((l) => !isTextLine(l));
  const codes = [...new Set(xeroLines.flatMap((l) => (l.itemCode ? [l.itemCode] : [])))];
  const known = new Set((await db('parts').where({ tenant_id: tenantId }).whereIn('sku', codes).pluck('sku')) as string[]);
  const problems: string[] = [];
  const notes: string[] = [];
  if (!inv.number) problems.push('The bill has no number in Xero: give it the supplier\'s invoice number there');
  if (!inv.contactName && !inv.contactId) problems.push('The bill has no supplier contact in Xero');
  if (!inv.date) problems.push('The bill has no date in Xero');
  for (const l of xeroLines) {
    if (!l.itemCode || known.has(l.itemCode)) continue;
    // Coded to GRNI it was meant to clear a receipt: recording it without its part would leave
    // the receipt unbilled and the variance unposted, so a person adds the part first.
    if (l.accountCode === mapping.grni.code) problems.push(`unknown item code ${l.itemCode} on line ${l.lineNo} (coded to GRNI ${mapping.grni.code}): add the part, then try again`);
    else notes.push(`line ${l.lineNo}: ${l.itemCode} is not a part here, recorded as a non-stock line`);
  }
  const input: BillInput = {
    supplier: await supplierName(db, tenantId, inv),
    number: inv.number,
    reference: inv.reference || undefined,
    date: inv.date ?? '',
    currency: inv.currency ?? undefined,
    currencyRate: inv.currencyRate ?? undefined,
    amounts: inv.amounts,
    externalId: inv.id,
    lines: xeroLines.map((l) => ({
      part: l.itemCode && known.has(l.itemCode) ? l.itemCode : undefined,
      description: l.description || l.itemCode || undefined,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      taxRate: l.taxRate,
      accountCode: l.accountCode || undefined,
    })),
  };
  return { input, xeroLines, problems, notes };
}

function flagsOf(bill: BillView): string[] {
  return bill.lines.flatMap((l) => l.flags.map((f) => `line ${l.line_no}: ${f.message}`));
}

/**
 * recordBill refused the number as a duplicate. A bill typed in by hand for the same supplier and
 * number is the same bill: it is linked, not recorded twice. One recorded from another Xero
 * document is a real clash for a person to sort out.
 */
async function alreadyRecorded(db: Db, tenantId: string, input: BillInput, inv: XeroInvoice, err: Conflict): Promise<Result> {
  const bill = await db('bills as b').join('suppliers as s', (j) => j.on('s.tenant_id', 'b.tenant_id').andOn('s.id', 'b.supplier_id'))
    .where('b.tenant_id', tenantId).whereRaw('lower(s.name) = lower(?)', [input.supplier.trim()]).whereRaw('lower(b.number) = lower(?)', [input.number])
    .first('b.id', 'b.number', 'b.external_id');
  if (!bill) return { outcome: 'failed', message: err.message };
  if (bill.external_id && bill.external_id !== inv.id) return { outcome: 'failed', message: `${err.message}, from another Xero bill (${bill.external_id})` };
  return { outcome: 'recorded', localId: bill.id, message: `Already recorded here as bill ${bill.number}: linked, not recorded again` };
}

/** Recorded once; later changes in Xero are reported for a person, never recorded a second time. */
async function afterRecording(db: Db, actor: Actor, inv: XeroInvoice, doc: ExternalDocument): Promise<Result> {
  const base = { outcome: 'recorded' as const, localId: doc.localId };
  if (CANCELLED.has(inv.status)) {
    return { ...base, message: `${inv.status} in Xero after it was recorded here: the bill and its price difference stay until a person reverses them` };
  }
  const changes = await changesSince(db, actor.tenantId, doc.localId!, inv);
  if (!changes.length) return { ...base, message: doc.message };
  return { ...base, message: `Changed in Xero after it was recorded (${changes.join('; ')}): the bill here is as first recorded, correct it by hand` };
}

async function changesSince(db: Db, tenantId: string, billId: string, inv: XeroInvoice): Promise<string[]> {
  const stored = await db('bill_lines as l').leftJoin('parts as p', (j) => j.on('p.tenant_id', 'l.tenant_id').andOn('p.id', 'l.part_id'))
    .where({ 'l.tenant_id': tenantId, 'l.bill_id': billId }).orderBy('l.line_no').select('l.quantity', 'l.unit_price', 'p.sku', 'l.description');
  const now = inv.lines.filter((l) => !isTextLine(l));
  const out: string[] = [];
  const n = Math.max(stored.length, now.length);
  for (let i = 0; i < n; i++) {
    const was = stored[i];
    const is = now[i];
    const wasText = was ? `${new Decimal(was.quantity).toFixed()} × ${new Decimal(was.unit_price).toFixed()}` : 'no line';
    const isText = is ? `${is.quantity.toFixed()} × ${is.unitPrice.toFixed()}` : 'no line';
    if (!was || !is || !new Decimal(was.quantity).eq(is.quantity) || !new Decimal(was.unit_price).eq(is.unitPrice)) out.push(`line ${is?.lineNo ?? i + 1}: ${wasText} is now ${isText}`);
  }
  return out;
}
