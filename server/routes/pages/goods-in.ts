import { Router, Request, Response, RequestHandler } from 'express';
import { approvalAttempts } from '../../http/middleware/approval-limit';
import { ZodError } from 'zod';
import { Db } from '../../db';
import { Decimal, QTY_DP, str } from '../../domain/decimal';
import { parseDecimalText } from '../../domain/numbers';
import { DomainError, Invalid, NotFound, OverTolerance } from '../../errors';
import { render, isHtmx } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { idParam } from '../../http/schemas';
import { formClaim, formFields } from '../../http/form-claim';
import { parseReceive, parseReject } from '../../http/purchasing-input';
import { purchaseOrderView, listPurchaseOrders, findByScan, deliveryView } from '../../services/purchasing/views';
import { PurchaseOrderView, PoLineView, ReceiptLineView } from '../../services/purchasing/types';
import { receiveLine, rejectLine } from '../../services/goods-in/receive';
import { undoReceiptLine } from '../../services/goods-in/undo';
import { finishDelivery } from '../../services/goods-in/deliveries';
import { listReturns, markReturned } from '../../services/goods-in/returns';
import { redirect } from './auth';
import { today } from '../../clock';
import { returnsPage, supplierReturnPages } from './supplier-returns';

// Goods-in pages: open POs, the Parts Receipt page (verify line by line on a tablet, with a
// scanner), the returns list and each delivery. The page's unsaved state (quantities on the
// steppers, batch codes, captured serials) lives in the forms as qty[<line>], lot[<line>] and
// serials[<line>], so every re-render can carry it over without any client-side script.

type Body = Record<string, unknown>;
type ErrorForm = 'receive' | 'reject' | 'scan' | 'panel';
type PageOpts = {
  body?: Body;
  lineId?: string; // the line an action was about: re-rendered, and where its notice or error shows
  errorForm?: ErrorForm;
  focusLine?: string; // a serial line whose capture box takes the focus
  notice?: string;
  scanNotice?: string;
  panelNotice?: string;
  changed?: boolean;
};

const receivers = requireUser('admin', 'operations');


/** A refusal of one field, its message shown as is (Invalid.field would prefix the field's name). */
const refuse = (field: string, message: string): Invalid => new Invalid([{ field, message }], message);
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const splitSerials = (s: string): string[] => s.split(/[\s,;]+/).filter(Boolean);

/** One line's field from a form: `qty[<line id>]` arrives (extended urlencoded) as body.qty[<line id>]. */
function scoped(b: Body, key: string, lineId: string): string {
  const m = b[key];
  return m && typeof m === 'object' ? text((m as Body)[lineId]) : '';
}

function withPending(b: Body, lineId: string, change: { qty?: string; lot?: string; serials?: string }): Body {
  const next: Body = { ...b };
  for (const [key, value] of Object.entries(change)) {
    const m = b[key] && typeof b[key] === 'object' ? (b[key] as Body) : {};
    next[key] = { ...m, [lineId]: value };
  }
  return next;
}

/** Stock units as purchase units (20 each = 2 box of 10). */
function packs(qty: string, l: PoLineView): string {
  return str(new Decimal(qty).div(l.units_per_purchase_unit).toDecimalPlaces(QTY_DP));
}

function lineModel(l: PoLineView, b: Body, o: PageOpts) {
  const serials = splitSerials(scoped(b, 'serials', l.id));
  const mine = text(b.line) === l.id;
  return {
    ...l,
    // A PO line's description defaults to the part's name: show it only when it says more.
    note: l.description !== l.part_name ? l.description : '',
    isSerial: l.tracking === 'serial',
    isLot: l.tracking === 'lot',
    perPack: !new Decimal(l.units_per_purchase_unit).eq(1),
    hasOutstanding: !new Decimal(l.outstanding).isZero(),
    hasRejected: !new Decimal(l.rejected).isZero(),
    fig: { ordered: packs(l.ordered, l), received: packs(l.received, l), outstanding: packs(l.outstanding, l), rejected: packs(l.rejected, l) },
    pending: { qty: scoped(b, 'qty', l.id), lot: scoped(b, 'lot', l.id), serials, serialsText: serials.join(' '), count: serials.length },
    reject: mine ? { quantity: text(b.reject_quantity), reason: text(b.reason) } : {},
    focus: o.focusLine === l.id,
  };
}

/** "This delivery": the open delivery's verified lines, newest first, and a signature the poll compares. */
function panelModel(po: PurchaseOrderView) {
  const d = po.open_delivery;
  if (!d) return { delivery: null, lines: [], sig: 'none' };
  const byId = new Map(po.lines.map((l) => [l.id, l]));
  const lines = d.lines.map((r) => ({ ...r, unit: byId.get(r.po_line_id)?.unit ?? '', part_name: byId.get(r.po_line_id)?.part_name ?? '', accepted: r.outcome === 'accepted' }));
  return { delivery: d, lines, sig: `${d.id}:${d.lines.length}:${d.lines.filter((l) => l.undone).length}` };
}

const CLOSED: Record<string, string> = {
  received: 'Received in full: nothing is outstanding on this purchase order.',
  closed: 'This purchase order is closed: nothing more is expected against it.',
  draft: 'This purchase order is a draft: it must be approved before goods can be received against it.',
  cancelled: 'This purchase order is cancelled: nothing can be received against it.',
};

async function receiptPage(db: Db, req: Request, po: PurchaseOrderView, o: PageOpts = {}) {
  const { body: b = {}, ...opts } = o;
  const deliveries = await db('deliveries').where({ tenant_id: actorOf(req).tenantId, po_id: po.id }).orderBy('number', 'desc').select('id', 'number', 'received_on', 'status');
  return {
    ...opts,
    title: `Parts Receipt ${po.number}`,
    po,
    open: po.status === 'open',
    closedMessage: CLOSED[po.status],
    lines: po.lines.map((l) => lineModel(l, b, o)),
    panel: panelModel(po),
    deliveries: deliveries.map((d) => ({ ...d, number: Number(d.number) })),
    note: text(b.delivery_note) || po.open_delivery?.delivery_note || '',
    // The day the goods arrived: today unless the receiver says otherwise (kept across re-renders).
    arrivedOn: text(b.occurred_on) || today(),
    today: today(),
    isAdmin: actorOf(req).role === 'admin',
    approvalLine: undefined as string | undefined,
  };
}
type ReceiptPage = Awaited<ReturnType<typeof receiptPage>>;

function loadPo(db: Db, req: Request): Promise<PurchaseOrderView> {
  return purchaseOrderView(db, actorOf(req).tenantId, String(req.params.poId));
}

/** An htmx action answers with its fragment; once the PO leaves "open" the whole page changes (read-only). */
function respond(req: Request, res: Response, fragment: string, page: ReceiptPage): void {
  if (isHtmx(req) && !page.open) res.set({ 'HX-Retarget': '#main', 'HX-Reswap': 'innerHTML' });
  render(req, res, isHtmx(req) && page.open ? fragment : 'pages/goods-in/receipt', page);
}

// ---- one PO line's actions: receive, all arrived, reject, stepper, serial capture ----

type LineCtx = { req: Request; po: PurchaseOrderView; line: PoLineView; body: Body };
type Outcome = { changed: boolean; body: Body; notice?: string; focusLine?: string };

/**
 * The frame of every action on one line: the page to re-render on an error is set up first
 * (res.locals.form: the error handler shows the problem at this line), then the action runs,
 * then the line (htmx) or the page (a plain form post, after a change: redirect) is shown.
 */
function lineAction(db: Db, form: 'receive' | 'reject', act: (ctx: LineCtx) => Promise<Outcome>): RequestHandler {
  return async (req, res) => {
    const po = await loadPo(db, req);
    const body = formFields(req) as Body;
    const line = po.lines.find((l) => l.id === text(body.line));
    if (!line) throw new NotFound(`Line of purchase order ${po.number}`, text(body.line) || '(none given)');
    const data = await receiptPage(db, req, po, { body, lineId: line.id, errorForm: form, focusLine: line.id });
    res.locals.form = { view: isHtmx(req) ? 'pages/goods-in/line-update' : 'pages/goods-in/receipt', data };
    const out = await showingApproval(data, line.id, () => act({ req, po, line, body }));
    if (out.changed && !isHtmx(req)) return void res.redirect(303, `/goods-in/${po.id}`);
    const fresh = out.changed ? await loadPo(db, req) : po;
    respond(req, res, 'pages/goods-in/line-update', await receiptPage(db, req, fresh, { body: out.body, lineId: line.id, notice: out.notice, focusLine: out.focusLine, changed: out.changed }));
  };
}

/** Beyond the over-receipt tolerance (or after a wrong admin password) the line shows the approval panel. */
async function showingApproval<T>(data: ReceiptPage, lineId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof OverTolerance || (err instanceof DomainError && err.fields.some((f) => f.field.startsWith('approval')))) data.approvalLine = lineId;
    throw inPeoplesWords(err);
  }
}

/** On this page the business date is the "Arrived on" box, not occurred_on. */
function inPeoplesWords(err: unknown): unknown {
  if (!(err instanceof DomainError) || !err.fields.some((f) => f.field === 'occurred_on')) return err;
  return new DomainError(err.code, err.status, err.message.replace(/^occurred_on:?\s*/, 'Arrived on: '), err.fields);
}

/** The shared zod parsers name bare fields; on this page the message also names the part. */
function namingPart<T>(line: PoLineView, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    const fields = err.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message }));
    const name = (field: string) => (field === 'occurred_on' ? 'Arrived on' : field);
    const say = (f: { field: string; message: string }) => (f.message.startsWith(f.field) ? f.message : `${name(f.field)} ${f.message}`);
    throw new Invalid(fields, `${line.part}: ${fields.map(say).join('; ')}`);
  }
}

function approvalOf(b: Body): { email: string; password: string } | undefined {
  const a = b.approval && typeof b.approval === 'object' ? (b.approval as Body) : undefined;
  if (!a || !text(a.email)) return undefined;
  return { email: text(a.email), password: typeof a.password === 'string' ? a.password : '' };
}

/** Everything outstanding, in purchase units: refused when that is not a whole number of packs. */
function allOutstanding(line: PoLineView): string {
  if (new Decimal(line.outstanding).isZero()) throw refuse('quantity', `Nothing of ${line.part} is outstanding on this line`);
  const q = new Decimal(line.outstanding).div(line.units_per_purchase_unit);
  if (q.decimalPlaces() > QTY_DP) throw refuse('quantity', `${line.outstanding} ${line.unit} of ${line.part} is not a whole number of ${line.purchase_unit}; enter the quantity instead`);
  return str(q);
}

/** A serial-tracked line receives as many units as serials were captured. */
function serialQuantity(line: PoLineView, serials: string[]): string {
  if (!serials.length) throw refuse('serials', `Scan or type the serial of each ${line.part} first`);
  return str(new Decimal(serials.length).div(line.units_per_purchase_unit));
}

function receiveFields(line: PoLineView, b: Body, all: boolean): Body {
  const serials = splitSerials(scoped(b, 'serials', line.id));
  const quantity = all ? allOutstanding(line) : line.tracking === 'serial' ? serialQuantity(line, serials) : scoped(b, 'qty', line.id);
  if (quantity === '') throw refuse('quantity', `Enter how many ${line.purchase_unit} of ${line.part} arrived`);
  return {
    line: line.id, quantity, lot: scoped(b, 'lot', line.id), serials, delivery_note: b.delivery_note, occurred_on: b.occurred_on,
    approve_over_receipt: b.approve_over_receipt, approval: approvalOf(b),
  };
}

function receive(db: Db, all: boolean) {
  return lineAction(db, 'receive', async ({ req, po, line, body }) => {
    const input = namingPart(line, () => parseReceive(receiveFields(line, body, all)));
    const result = await receiveLine(db, actorOf(req), po.id, input, formClaim(req).claim);
    const r = result.body.receipt_line;
    return { changed: true, body: withPending(body, line.id, { qty: '', lot: '', serials: '' }), notice: `Received ${r.quantity} ${line.unit} of ${line.part}${r.serials.length ? ` (${r.serials.join(', ')})` : ''}` };
  });
}

function reject(db: Db) {
  return lineAction(db, 'reject', async ({ req, po, line, body }) => {
    const input = namingPart(line, () => parseReject({ line: line.id, quantity: text(body.reject_quantity), reason: text(body.reason), delivery_note: body.delivery_note, occurred_on: body.occurred_on }));
    const result = await rejectLine(db, actorOf(req), po.id, input, formClaim(req).claim);
    const r = result.body.receipt_line;
    return { changed: true, body: { ...body, reject_quantity: '', reason: '' }, notice: `Rejected ${r.quantity} ${line.unit} of ${line.part}: ${r.reason}. It is listed for return to the supplier.` };
  });
}

const orZero = (v: string): Decimal => {
  const p = parseDecimalText(v);
  return p.ok ? p.value : new Decimal(0);
};

/** The − / + buttons: a round trip that re-renders the line one purchase unit up or down (never below 0). */
function step(db: Db) {
  return lineAction(db, 'receive', async ({ line, body }) => {
    const n = Decimal.max(orZero(scoped(body, 'qty', line.id)).plus(text(body.step) === '-1' ? -1 : 1), 0);
    return { changed: false, body: withPending(body, line.id, { qty: n.isZero() ? '' : str(n) }) };
  });
}

/**
 * Serial capture: each scan (or typed serial + Enter) joins the line's list; one already in the
 * list, or already in stock for this part, is refused at once, naming it.
 */
function captureSerial(db: Db) {
  return lineAction(db, 'receive', async ({ req, line, body }) => {
    const list = splitSerials(scoped(body, 'serials', line.id));
    const removed = text(body.remove);
    if (removed) return { changed: false, body: withPending(body, line.id, { serials: list.filter((s) => s !== removed).join(' ') }), focusLine: line.id };
    const added = splitSerials(text(body.serial_entry));
    await checkNewSerials(db, actorOf(req).tenantId, line, list, added);
    return { changed: false, body: withPending(body, line.id, { serials: [...list, ...added].join(' ') }), focusLine: line.id, notice: `Serial ${added.join(', ')} added` };
  });
}

async function checkNewSerials(db: Db, tenantId: string, line: PoLineView, list: string[], added: string[]): Promise<void> {
  const fail = (message: string): never => { throw refuse('serial_entry', message); };
  if (!added.length) fail(`Scan or type a serial of ${line.part}`);
  const long = added.find((s) => s.length > 64);
  if (long) fail(`Serial ${long.slice(0, 20)}… is too long (64 characters at most)`);
  const dup = added.find((s, i) => list.includes(s) || added.indexOf(s) !== i);
  if (dup) fail(`Serial ${dup} is already in the list for ${line.part}`);
  const inStock = await db('serials').where({ tenant_id: tenantId, part_id: line.part_id, status: 'in_stock' }).whereIn('serial', added).first('serial');
  if (inStock) fail(`Serial ${inStock.serial} of ${line.part} is already in stock`);
}

// ---- the page's scan box, undo, finish, and the 5-second poll ----

/** The PO line a scanned part barcode or SKU is for: one still outstanding first. */
async function scannedLine(db: Db, tenantId: string, po: PurchaseOrderView, code: string): Promise<PoLineView> {
  if (!code) throw refuse('code', 'Scan a part barcode, or type its SKU');
  const lines = po.lines.filter((l) => l.part === code || l.barcode === code);
  const line = lines.find((l) => !new Decimal(l.outstanding).isZero()) ?? lines[0];
  if (line) return line;
  const part = await db('parts').where({ tenant_id: tenantId }).where((w) => w.where('sku', code).orWhere('barcode', code)).first('sku', 'name');
  throw refuse('code', part ? `${part.sku} (${part.name}) is not on purchase order ${po.number}` : `Nothing has the barcode or SKU “${code}”`);
}

function scanOnPage(db: Db): RequestHandler {
  return async (req, res) => {
    const po = await loadPo(db, req);
    const body = formFields(req) as Body;
    res.locals.form = { view: isHtmx(req) ? 'pages/goods-in/scan-update' : 'pages/goods-in/receipt', data: await receiptPage(db, req, po, { body, errorForm: 'scan' }) };
    const line = await scannedLine(db, actorOf(req).tenantId, po, text(body.code));
    if (line.tracking === 'serial') {
      const page = await receiptPage(db, req, po, { body, lineId: line.id, focusLine: line.id, scanNotice: `${line.part} is serial-tracked: scan each unit's serial into its line's serial box` });
      return respond(req, res, 'pages/goods-in/scan-update', page);
    }
    const qty = str(orZero(scoped(body, 'qty', line.id)).plus(1));
    const page = await receiptPage(db, req, po, { body: withPending(body, line.id, { qty }), lineId: line.id, scanNotice: `${line.part}: ${qty} ${line.purchase_unit} counted; tap Receive when the line is done` });
    respond(req, res, 'pages/goods-in/scan-update', page);
  };
}

function undo(db: Db): RequestHandler {
  return async (req, res) => {
    const po = await loadPo(db, req);
    const id = idParam(req.params.id, 'Receipt line');
    res.locals.form = { view: isHtmx(req) ? 'pages/goods-in/panel-update' : 'pages/goods-in/receipt', data: await receiptPage(db, req, po, { errorForm: 'panel' }) };
    const result = await undoReceiptLine(db, actorOf(req), id, formClaim(req).claim);
    const r: ReceiptLineView = result.body.receipt_line;
    // The delivery page's Undo goes back there; the receipt page's stays on the PO.
    if (!isHtmx(req)) return void res.redirect(303, text(formFields(req).back) === 'delivery' ? `/goods-in/deliveries/${r.delivery_id}` : `/goods-in/${po.id}`);
    const unit = po.lines.find((l) => l.id === r.po_line_id)?.unit ?? '';
    const notice = `Undone: ${r.outcome} ${r.quantity} ${unit} of ${r.part}${r.outcome === 'accepted' ? ' (its stock receipt is reversed)' : ''}`;
    // The undone line's actions depend on what is outstanding, so it is re-rendered too.
    respond(req, res, 'pages/goods-in/panel-update', await receiptPage(db, req, await loadPo(db, req), { panelNotice: notice, changed: true, lineId: r.po_line_id }));
  };
}

function finish(db: Db): RequestHandler {
  return async (req, res) => {
    const po = await loadPo(db, req);
    res.locals.form = { view: isHtmx(req) ? 'pages/goods-in/panel-update' : 'pages/goods-in/receipt', data: await receiptPage(db, req, po, { errorForm: 'panel' }) };
    const d = await finishDelivery(db, actorOf(req), idParam(req.params.id, 'Delivery'));
    redirect(req, res, `/goods-in/deliveries/${d.id}`);
  };
}

/**
 * Every 5 s: the received/outstanding figures of each line and the PO status, out of band (never
 * the forms, so a quantity being typed stays); the delivery panel only when it changed; a full
 * reload once the PO is no longer open (someone else received the rest, or it was closed).
 */
function figures(db: Db): RequestHandler {
  return async (req, res) => {
    const po = await loadPo(db, req);
    if (po.status !== 'open') return void res.set('HX-Refresh', 'true').status(204).end();
    const page = await receiptPage(db, req, po);
    render(req, res, 'pages/goods-in/figures-update', { ...page, panelChanged: page.panel.sig !== text(req.query.panel) });
  };
}

// ---- the list of open POs, the scan that opens one, returns and deliveries ----

async function listPage(db: Db, req: Request, q: string) {
  const tenantId = actorOf(req).tenantId;
  const [rows, returns] = await Promise.all([listPurchaseOrders(db, tenantId, { status: 'receivable', q }), listReturns(db, tenantId)]);
  return { title: 'Goods-in', rows, q, live: true, returnsCount: returns.length };
}

/** The list's scan box: a PO number opens it; a part opens the one PO expecting it, or lists them. */
function scanToOpen(db: Db): RequestHandler {
  return async (req, res) => {
    const code = text(req.query.code);
    const tenantId = actorOf(req).tenantId;
    const page = await listPage(db, req, '');
    if (!code) return render(req, res.status(422), 'pages/goods-in/index', { ...page, scan: { code, error: 'Scan or type a PO number, or a part barcode or SKU' } });
    const found = await findByScan(db, tenantId, code);
    if (found.po) return redirect(req, res, `/goods-in/${found.po}`);
    if (found.matches.length) {
      return render(req, res, 'pages/goods-in/index', { ...page, rows: found.matches, live: false, scan: { code, notice: `${code} is expected on ${found.matches.length} open purchase orders: choose one` } });
    }
    const part = await db('parts').where({ tenant_id: tenantId }).where((w) => w.where('sku', code).orWhere('barcode', code)).first('sku', 'name');
    const error = part ? `${part.sku} (${part.name}) is not expected on any open purchase order` : `Nothing matches “${code}”: no purchase order number, part barcode or SKU`;
    render(req, res.status(404), 'pages/goods-in/index', { ...page, scan: { code, error } });
  };
}

async function deliveryPage(db: Db, req: Request) {
  const tenantId = actorOf(req).tenantId;
  const delivery = await deliveryView(db, tenantId, idParam(req.params.id, 'Delivery'));
  const po = await purchaseOrderView(db, tenantId, delivery.po_id);
  const byId = new Map(po.lines.map((l) => [l.id, l]));
  const lines = delivery.lines.map((r) => ({ ...r, unit: byId.get(r.po_line_id)?.unit ?? '', part_name: byId.get(r.po_line_id)?.part_name ?? '', accepted: r.outcome === 'accepted' }));
  return { title: `Delivery ${delivery.number}`, delivery, po, lines, canUndo: actorOf(req).role !== 'bookkeeper' };
}

export function goodsInPages(db: Db): Router {
  const r = Router();
  const approvalLimit = approvalAttempts((req) => !!approvalOf((req.body ?? {}) as Body));
  r.get('/goods-in', receivers, async (req, res) => {
    render(req, res, 'pages/goods-in/index', await listPage(db, req, text(req.query.q)), { fragment: 'goods-in/po-rows' });
  });
  r.get('/goods-in/scan', receivers, scanToOpen(db));
  r.get('/goods-in/returns', receivers, async (req, res) => {
    render(req, res, 'pages/goods-in/returns', await returnsPage(db, req));
  });
  r.post('/goods-in/returns/:id/returned', receivers, async (req, res) => {
    res.locals.form = { view: 'pages/goods-in/returns', data: await returnsPage(db, req) };
    await markReturned(db, actorOf(req), idParam(req.params.id, 'Rejected line'));
    redirect(req, res, '/goods-in/returns');
  });
  // Journals link here as their source document, so every role that reads journals may open it.
  r.get('/goods-in/deliveries/:id', requireUser(), async (req, res) => {
    render(req, res, 'pages/goods-in/delivery', await deliveryPage(db, req));
  });
  r.get('/goods-in/:poId', receivers, async (req, res) => {
    render(req, res, 'pages/goods-in/receipt', await receiptPage(db, req, await loadPo(db, req)));
  });
  r.get('/goods-in/:poId/figures', receivers, figures(db));
  r.post('/goods-in/:poId/receive', receivers, approvalLimit, receive(db, false));
  r.post('/goods-in/:poId/arrived', receivers, approvalLimit, receive(db, true));
  r.post('/goods-in/:poId/reject', receivers, reject(db));
  r.post('/goods-in/:poId/step', receivers, step(db));
  r.post('/goods-in/:poId/serials', receivers, captureSerial(db));
  r.post('/goods-in/:poId/scan', receivers, scanOnPage(db));
  r.post('/goods-in/:poId/receipt-lines/:id/undo', receivers, undo(db));
  r.post('/goods-in/:poId/deliveries/:id/finish', receivers, finish(db));
  r.use(supplierReturnPages(db));
  return r;
}
