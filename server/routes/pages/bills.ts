import { Router } from 'express';
import { writeCsv } from '../../services/csv-export';
import { z } from 'zod';
import { Db } from '../../db';
import { Decimal, ZERO, money, minorUnits } from '../../domain/decimal';
import { render, isHtmx } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { idParam, optionalText } from '../../http/schemas';
import { formClaim } from '../../http/form-claim';
import { parseBill } from '../../http/purchasing-input';
import { today } from '../../clock';
import { getAccountMapping, getTenant, moneyPlaces } from '../../repos/tenants';
import { listSuppliers } from '../../services/purchasing/suppliers';
import { recordBill } from '../../services/bills/record-bill';
import { billView, listBills, BillView } from '../../services/bills/views';
import { grniReport, GrniReport } from '../../services/reports/grni';
import { redirect } from './auth';

const LINE_FIELDS = ['part', 'description', 'quantity', 'unit_price', 'tax_rate', 'account_code'] as const;
type LineFields = Record<(typeof LINE_FIELDS)[number], string>;
/** Line rows the form offers; "Add a line" fetches more. */
const MIN_ROWS = 4;
const MAX_ROWS = 200;
/** A GRNI line older than this is highlighted: a bill that should have come by now. */
const OLD_DAYS = 30;

const prefill = z.object({ supplier: optionalText(200).catch(undefined), reference: optionalText(100).catch(undefined) });

/** What the bookkeeper should do about each kind of flagged bill line, beside the service's message. */
const FLAG_ADVICE: Record<string, string> = {
  coded_elsewhere: 'Correct the line’s account in Xero or QuickBooks: received stock is already on the balance sheet through GRNI.',
  billed_not_received: 'Check with goods-in whether it arrived (and book it in against the PO), or ask the supplier for a credit note. Until then this quantity is not matched and nothing is revalued for it.',
};

/**
 * A form's line rows as a list, in the order shown. Nested form fields arrive parsed by qs: an
 * array, or an object keyed by index once an index passes qs's array limit (20).
 */
function rowsOf(raw: unknown): LineFields[] {
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.entries(raw).filter(([k]) => /^\d+$/.test(k)).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v) : [];
  return list.slice(0, 2000).map((r) => Object.fromEntries(LINE_FIELDS.map((f) => [f, typeof r?.[f] === 'string' ? r[f] : ''])) as LineFields);
}

/** A row nobody typed into (the account code comes filled in with GRNI's). */
const isBlank = (r: LineFields) => LINE_FIELDS.every((f) => f === 'account_code' || r[f].trim() === '');

/**
 * The rows to show, each with the names its inputs post under and the keys its errors come back
 * under. The error handler shows a one-line form's "lines.0.x" at plain "x" (see
 * server/http/error-handler.ts), so the first row's errors are read there.
 */
function formRows(lines: LineFields[], grniCode: string) {
  const rows = [...lines];
  while (rows.length < MIN_ROWS || rows.length === lines.length) rows.push(blankRow(grniCode));
  return rows.map((values, i) => lineRow(values, i));
}

const blankRow = (grniCode: string): LineFields => ({ part: '', description: '', quantity: '', unit_price: '', tax_rate: '', account_code: grniCode });

function lineRow(values: LineFields, i: number) {
  const errorKeys = Object.fromEntries(LINE_FIELDS.map((f) => [f, i === 0 ? f : `lines.${i}.${f}`]));
  return { i, no: i + 1, values, errorKeys };
}

async function formData(db: Db, tenantId: string) {
  const [tenant, mapping, suppliers, grni] = await Promise.all([getTenant(db, tenantId), getAccountMapping(db, tenantId), listSuppliers(db, tenantId), grniReport(db, tenantId)]);
  // The POs waiting for bills: the reference a bill should carry.
  const awaiting = grni.suppliers.flatMap((s) => [...new Map(s.lines.map((l) => [l.po_number, { po_number: l.po_number, supplier: s.supplier }])).values()]);
  return { title: 'Record a bill', baseCurrency: tenant.baseCurrency, grni: mapping.grni, suppliers, awaiting };
}

/** The amount each line bills (quantity × unit price, in the bill's currency) and the bill's total. */
function withAmounts(bill: BillView) {
  const dp = minorUnits(bill.currency);
  let total = ZERO;
  const lines = bill.lines.map((l) => {
    const amount = new Decimal(l.quantity).mul(l.unit_price);
    total = total.plus(amount);
    const matches = l.matches.map((m) => ({ ...m, difference: new Decimal(m.bill_unit_cost).minus(m.receipt_unit_cost).toFixed() }));
    return { ...l, amount: money(amount, dp), matches, flags: l.flags.map((f) => ({ ...f, advice: FLAG_ADVICE[f.code] ?? '' })) };
  });
  const flagged = lines.filter((l) => l.flags.length);
  return { ...bill, lines, flagged, matched: lines.some((l) => l.matches.length > 0), total: money(total, dp) };
}

/** GRNI oldest first within each supplier (the ones to chase), with lines past OLD_DAYS marked. */
function grniForPage(report: GrniReport, dp: number) {
  let old = ZERO;
  let oldLines = 0;
  const suppliers = report.suppliers.map((s) => ({
    ...s,
    lines: [...s.lines].sort((a, b) => a.oldest_receipt.localeCompare(b.oldest_receipt)).map((l) => {
      const isOld = l.age_days > OLD_DAYS;
      if (isOld) {
        old = old.plus(l.value);
        oldLines += 1;
      }
      return { ...l, old: isOld };
    }),
  }));
  return { ...report, suppliers, old: money(old, dp), oldLines, oldDays: OLD_DAYS };
}

function grniCsv(report: ReturnType<typeof grniForPage>): string {
  const rows = report.suppliers.flatMap((s) => s.lines.map((l) => [s.supplier, l.po_number, l.line_no, l.part, l.part_name, l.unbilled_qty, l.value, l.oldest_receipt, l.age_days]));
  return writeCsv(['supplier', 'po_number', 'line_no', 'part', 'part_name', 'unbilled_qty', 'value', 'oldest_receipt', 'age_days'], rows);
}

/** The posted form as parseBill's body: header fields, and the rows typed into, in order. */
function billBodyOf(fields: Record<string, unknown>, rows: LineFields[]) {
  const { lines: _lines, ...header } = fields;
  void _lines;
  if (header.amounts === '') delete header.amounts;
  return { ...header, lines: rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v.trim() !== ''))) };
}

/** Supplier bills (entered by hand until the Xero connector brings them) and the GRNI report. */
export function billPages(db: Db): Router {
  const r = Router();
  const bookkeepers = requireUser('admin', 'bookkeeper');
  const grniReaders = requireUser('admin', 'bookkeeper', 'operations');

  r.get('/bills', bookkeepers, async (req, res) => {
    render(req, res, 'pages/bills/index', { title: 'Bills', bills: await listBills(db, actorOf(req).tenantId) });
  });

  r.get('/bills/new', bookkeepers, async (req, res) => {
    const data = await formData(db, actorOf(req).tenantId);
    // The GRNI report links here with the supplier and PO filled in.
    const { supplier, reference } = prefill.parse(req.query);
    render(req, res, 'pages/bills/new', { ...data, rows: formRows([], data.grni.code), values: { supplier, reference, date: today(), currency: data.baseCurrency, amounts: 'exclusive' } });
  });

  // htmx: one more blank line row, and the button that asks for the next one (out of band).
  r.get('/bills/new/line', bookkeepers, async (req, res) => {
    if (!isHtmx(req)) return res.redirect('/bills/new');
    const n = Number.parseInt(String(req.query.n ?? ''), 10);
    if (!Number.isInteger(n) || n < 1 || n >= MAX_ROWS) return res.status(204).end();
    const { grni } = await getAccountMapping(db, actorOf(req).tenantId);
    render(req, res, 'pages/bills/new', { row: lineRow({ ...blankRow(grni.code) }, n), next: n + 1 < MAX_ROWS ? n + 1 : null }, { fragment: 'bills/added-line' });
  });

  r.post('/bills/new', bookkeepers, async (req, res) => {
    const { claim, fields } = formClaim(req);
    const rows = rowsOf((fields as Record<string, unknown>).lines).filter((row) => !isBlank(row));
    try {
      const result = await recordBill(db, actorOf(req), parseBill(billBodyOf(fields, rows)), claim);
      redirect(req, res, `/bills/${result.body.id}`);
    } catch (err) {
      // Shown again as typed, less the empty rows, so an error on "lines.N" is beside row N+1 as shown.
      const data = await formData(db, actorOf(req).tenantId);
      res.locals.form = { view: 'pages/bills/new', data: { ...data, rows: formRows(rows, data.grni.code) } };
      throw err;
    }
  });

  r.get('/bills/:id', bookkeepers, async (req, res) => {
    const bill = withAmounts(await billView(db, actorOf(req).tenantId, idParam(req.params.id, 'Bill')));
    render(req, res, 'pages/bills/show', { title: `Bill ${bill.number}`, bill });
  });

  r.get('/reports/grni', grniReaders, async (req, res) => {
    const { tenantId, role } = actorOf(req);
    const billing = role === 'admin' || role === 'bookkeeper';
    render(req, res, 'pages/bills/grni', { title: 'GRNI', billing, report: grniForPage(await grniReport(db, tenantId), await moneyPlaces(db, tenantId)) });
  });

  r.get('/reports/grni.csv', grniReaders, async (req, res) => {
    const { tenantId } = actorOf(req);
    const report = grniForPage(await grniReport(db, tenantId), await moneyPlaces(db, tenantId));
    res.type('text/csv').attachment(`grni-${report.as_at}.csv`).send(grniCsv(report));
  });
  return r;
}
