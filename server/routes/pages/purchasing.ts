import { Request, Response as ExpressResponse, Router } from 'express';
import { z, ZodError } from 'zod';
import { Db } from '../../db';
import { render, isHtmx } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { idParam, optionalText } from '../../http/schemas';
import { formClaim } from '../../http/form-claim';
import { uploadedCsv } from '../../http/csv-upload';
import { hashRequest } from '../../services/idempotency';
import { parsePurchaseOrder, poStatusBody } from '../../http/purchasing-input';
import { parseDecimalText } from '../../domain/numbers';
import { DomainError, FieldProblem, Invalid } from '../../errors';
import { getTenant } from '../../repos/tenants';
import { listLocations } from '../../services/catalogue';
import { createPurchaseOrder, setPurchaseOrderStatus } from '../../services/purchasing/create-po';
import { listPurchaseOrders, purchaseOrderView } from '../../services/purchasing/views';
import { buyingLessSummary } from '../../services/purchasing/buying-less';
import { importPurchaseOrdersCsv, PO_CSV_COLUMNS } from '../../services/purchasing/import-pos';
import { PoStatus, PurchaseOrderView } from '../../services/purchasing/types';
import { redirect } from './auth';

const TABS = ['open', 'received', 'draft', 'closed', 'cancelled', 'all'] as const;
const listQuery = z.object({ status: z.enum(TABS).catch('open'), q: optionalText(100).catch(undefined) });
const LINE_FIELDS = ['part', 'quantity', 'purchase_unit', 'units_per_purchase_unit', 'unit_price', 'tax_rate'] as const;
const MIN_FORM_ROWS = 6;
const MAX_FORM_ROWS = 40;

type LineValues = Partial<Record<(typeof LINE_FIELDS)[number], string>>;
type FormRow = { index: number; n: number; values: LineValues; errors: Record<string, string> };

/** Purchase orders for buyers: the list, one PO with its status buttons, the PO form, CSV import and buying-less flags. */
export function purchasingPages(db: Db): Router {
  const r = Router();
  const buyers = requireUser('admin');

  r.get('/purchase-orders', requireUser(), async (req, res) => {
    const filter = listQuery.parse(req.query);
    const orders = await listPurchaseOrders(db, actorOf(req).tenantId, filter);
    const tabs = TABS.map((s) => ({ status: s, current: s === filter.status }));
    render(req, res, 'pages/purchasing/index', { title: 'Purchase orders', orders, tabs, filter, htmxFragment: isHtmx(req) }, { fragment: 'purchasing/po-rows' });
  });

  r.get('/purchase-orders/flags', requireUser(), async (req, res) => {
    render(req, res, 'pages/purchasing/flags', { title: 'Buying less', summary: await buyingLessSummary(db, actorOf(req).tenantId) });
  });

  r.get('/purchase-orders/new', buyers, async (req, res) => {
    render(req, res, 'pages/purchasing/new', { ...(await poFormData(db, actorOf(req).tenantId)), rows: formRows([], MIN_FORM_ROWS), moreRows: true, values: { amounts: 'exclusive' } });
  });
  r.post('/purchase-orders/new', buyers, (req, res) => postPoForm(db, req, res));

  r.get('/purchase-orders/import', buyers, (req, res) => {
    render(req, res, 'pages/purchasing/import', { title: 'Import purchase orders', columns: PO_CSV_COLUMNS.join(',') });
  });
  // A chosen file (multipart, read before the CSRF check like any form) or pasted text.
  r.post('/purchase-orders/import', buyers, async (req, res) => {
    res.locals.form = { view: 'pages/purchasing/import', data: { title: 'Import purchase orders', columns: PO_CSV_COLUMNS.join(',') } };
    const csv = uploadedCsv(req);
    // The one-time key is the form's; the request is the CSV itself, whichever box it came in.
    const key = formClaim(req).claim?.key;
    const claim = key ? { key, requestHash: hashRequest([req.method, req.path, csv]) } : undefined;
    const result = await importPurchaseOrdersCsv(db, actorOf(req), csv, claim);
    render(req, res, 'pages/purchasing/import', { title: 'Import purchase orders', columns: PO_CSV_COLUMNS.join(','), result });
  });

  r.get('/purchase-orders/:id', requireUser(), async (req, res) => {
    render(req, res, 'pages/purchasing/show', await showData(db, actorOf(req).tenantId, idParam(req.params.id, 'Purchase order')));
  });
  r.post('/purchase-orders/:id/status', buyers, async (req, res) => {
    const id = idParam(req.params.id, 'Purchase order');
    res.locals.form = { view: 'pages/purchasing/show', data: await showData(db, actorOf(req).tenantId, id) };
    const { status } = poStatusBody.parse(formClaim(req).fields);
    await setPurchaseOrderStatus(db, actorOf(req), id, status);
    redirect(req, res, `/purchase-orders/${id}`);
  });
  return r;
}

/** The PO form: saved through createPurchaseOrder, or shown again with each problem beside its box. */
async function postPoForm(db: Db, req: Request, res: ExpressResponse): Promise<void> {
  const { claim, fields } = formClaim(req);
  const submitted = submittedLines(fields);
  const data = { ...(await poFormData(db, actorOf(req).tenantId)), rows: formRows(submitted, Math.max(MIN_FORM_ROWS, submitted.length)), moreRows: submitted.length < MAX_FORM_ROWS };
  // "More line rows" posts what was typed and shows it again with empty rows added, saving nothing.
  if (fields.more_rows) {
    return render(req, res, 'pages/purchasing/new', { ...data, rows: formRows(submitted, Math.min(MAX_FORM_ROWS, submitted.length + MIN_FORM_ROWS)), values: fields });
  }
  res.locals.form = { view: 'pages/purchasing/new', data };
  // Blank rows are left out; each line keeps the number of its row in the form for errors.
  const used = submitted.map((v, i) => ({ v, i })).filter(({ v }) => LINE_FIELDS.some((f) => v[f]?.trim()));
  try {
    const input = parsePurchaseOrder({ ...headerFields(fields), lines: used.map(({ v }) => lineBody(v)) });
    const po = await createPurchaseOrder(db, actorOf(req), input, claim);
    redirect(req, res, `/purchase-orders/${po.body.id}`);
  } catch (err) {
    throw atFormRows(err, used.map((u) => u.i), data.rows);
  }
}

async function poFormData(db: Db, tenantId: string) {
  const [locations, tenant] = await Promise.all([listLocations(db, tenantId), getTenant(db, tenantId)]);
  return { title: 'New purchase order', locations, currencyLabel: `Currency (blank: ${tenant.baseCurrency})` };
}

async function showData(db: Db, tenantId: string, id: string) {
  const [po, tenant] = await Promise.all([purchaseOrderView(db, tenantId, id), getTenant(db, tenantId)]);
  return { title: `PO ${po.number}`, po, baseCurrency: tenant.baseCurrency, actions: statusActions(po), receivable: po.status === 'open', flagged: po.lines.some((l) => l.flag) };
}

/** The status buttons a PO offers, as setPurchaseOrderStatus allows them. */
function statusActions(po: PurchaseOrderView): { status: PoStatus; label: string; danger?: boolean }[] {
  const nothingReceived = po.lines.every((l) => l.received === '0');
  const byStatus: Record<PoStatus, { status: PoStatus; label: string; danger?: boolean }[]> = {
    draft: [{ status: 'open', label: 'Approve' }, { status: 'cancelled', label: 'Cancel', danger: true }],
    open: [{ status: 'closed', label: 'Close' }, ...(nothingReceived ? [{ status: 'cancelled' as const, label: 'Cancel', danger: true }] : [])],
    received: [{ status: 'closed', label: 'Close' }],
    closed: [{ status: 'open', label: 'Reopen' }],
    cancelled: [],
  };
  return byStatus[po.status];
}

const HEADER_FIELDS = ['number', 'supplier', 'order_date', 'expected_date', 'currency', 'currency_rate', 'amounts', 'location', 'reference', 'status'];

function headerFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(HEADER_FIELDS.filter((f) => f in fields).map((f) => [f, fields[f]]));
}

/** The form's line rows (lines[0][part]...) as posted; a tampered shape yields no rows. */
function submittedLines(fields: Record<string, unknown>): LineValues[] {
  const raw = fields.lines;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : [];
  return list.slice(0, MAX_FORM_ROWS).map((row) => Object.fromEntries(LINE_FIELDS.map((f) => {
    const v = row && typeof row === 'object' ? (row as Record<string, unknown>)[f] : undefined;
    return [f, typeof v === 'string' ? v : ''];
  })));
}

function lineBody(v: LineValues): Record<string, string | undefined> {
  // A zero tax rate means "no tax", which is the default: left out, as the shared schema
  // refuses an explicit 0 (its percent field uses the quantity parser).
  const tax = parseDecimalText(v.tax_rate);
  return { ...v, tax_rate: tax.ok && tax.value.isZero() ? undefined : v.tax_rate };
}

function formRows(values: LineValues[], count: number): FormRow[] {
  return Array.from({ length: count }, (_, index) => ({ index, n: index + 1, values: values[index] ?? {}, errors: {} }));
}

/**
 * Problems with "lines.2.quantity" name a line among those sent (blank rows left out): rename them
 * to the form's row, put each beside its box, and pass the error on to the error handler.
 */
function atFormRows(err: unknown, rowOfLine: number[], rows: FormRow[]): unknown {
  const fields = problemsOf(err);
  if (!fields) return err;
  const renamed = fields.map((f) => {
    const m = /^lines\.(\d+)\.(\w+)/.exec(f.field);
    if (!m) return f;
    const row = rowOfLine[Number(m[1])];
    rows[row].errors[m[2]] ??= f.message;
    return { field: `lines.${row}.${m[2]}`, message: f.message };
  });
  if (err instanceof ZodError || (err instanceof DomainError && err.code === 'invalid')) return new Invalid(renamed);
  return new DomainError((err as DomainError).code, (err as DomainError).status, (err as DomainError).message, renamed);
}

function problemsOf(err: unknown): FieldProblem[] | null {
  if (err instanceof ZodError) return err.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message }));
  if (err instanceof DomainError) return err.fields;
  return null;
}
