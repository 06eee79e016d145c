import { Router, Request } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { NotFound } from '../../errors';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { optionalText } from '../../http/schemas';
import { formClaim } from '../../http/form-claim';
import { parseDispatch, splitSerials, text } from '../../http/job-input';
import { today } from '../../clock';
import { dispatchGoods, dispatchView } from '../../services/dispatch/dispatch';
import { listDispatches } from '../../services/dispatch/list';
import { jobView } from '../../services/jobs/views';
import { redirect } from './auth';

// Dispatch: finished goods shipped to a customer. The form's rows take a part, its serials (a
// scanner types each one and Enter, so the box collects one per line), the quantity (for serial
// parts, how many serials were scanned unless given), a unit price and the making job.

const LINE_FIELDS = ['part', 'quantity', 'serials', 'unit_price', 'job'] as const;
type LineFields = Record<(typeof LINE_FIELDS)[number], string>;
const MIN_ROWS = 3;
const prefill = z.object({ job: optionalText(40).catch(undefined) });

/** Rows as posted (qs gives an array, or an object keyed by index past its array limit). */
function rowsOf(raw: unknown): LineFields[] {
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.entries(raw).filter(([k]) => /^\d+$/.test(k)).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v) : [];
  return list.slice(0, 1000).map((r) => Object.fromEntries(LINE_FIELDS.map((f) => [f, text(r?.[f])])) as LineFields);
}
const isBlank = (r: LineFields) => LINE_FIELDS.every((f) => r[f] === '');
const blankRow = (): LineFields => ({ part: '', quantity: '', serials: '', unit_price: '', job: '' });

/** The error handler shows a one-line command's "lines.0.x" at "x": the first row's errors are read there. */
function formRows(lines: LineFields[]) {
  const rows = [...lines];
  while (rows.length < MIN_ROWS) rows.push(blankRow());
  return rows.map((values, i) => ({ i, no: i + 1, values, errorKeys: Object.fromEntries(LINE_FIELDS.map((f) => [f, i === 0 ? f : `lines.${i}.${f}`])) }));
}

/** The posted rows as the API's lines: a serial row without a quantity ships one unit per serial. */
function dispatchBodyOf(fields: Record<string, unknown>, rows: LineFields[]) {
  const lines = rows.map((r) => {
    const serials = splitSerials(r.serials);
    const line: Record<string, unknown> = { part: r.part, quantity: r.quantity || (serials.length ? String(serials.length) : '') };
    if (serials.length) line.serials = serials;
    if (r.unit_price) line.unit_price = r.unit_price;
    if (r.job) line.job = r.job;
    return line;
  });
  return { customer: fields.customer ?? '', reference: fields.reference, occurred_on: fields.occurred_on, lines };
}

async function listModel(db: Db, req: Request) {
  const tenantId = actorOf(req).tenantId;
  const q = text(req.query.q);
  return { title: 'Dispatch', q, dispatches: await listDispatches(db, tenantId, { q: q || undefined }), canWork: actorOf(req).role !== 'bookkeeper' };
}

/** A completed job's "Dispatch" button opens the form with its customer, part, price and number filled in. */
async function prefilled(db: Db, req: Request) {
  const { job } = prefill.parse(req.query);
  if (!job) return { values: { occurred_on: today() }, rows: formRows([]) };
  const j = await jobView(db, actorOf(req).tenantId, job);
  return { values: { occurred_on: today(), customer: j.customer ?? '' }, rows: formRows([{ ...blankRow(), part: j.part, job: j.number, unit_price: j.costs.sale_price ?? '' }]) };
}

export function dispatchPages(db: Db): Router {
  const r = Router();
  const makers = requireUser('admin', 'operations');
  r.get('/dispatches', requireUser(), async (req, res) => {
    render(req, res, 'pages/dispatches/index', { ...(await listModel(db, req)), ...(await prefilled(db, req)) });
  });
  r.post('/dispatches', makers, async (req, res) => {
    const { claim, fields } = formClaim(req);
    const rows = rowsOf((fields as Record<string, unknown>).lines).filter((row) => !isBlank(row));
    res.locals.form = { view: 'pages/dispatches/index', data: { ...(await listModel(db, req)), rows: formRows(rows), formOpen: true } };
    const result = await dispatchGoods(db, actorOf(req), parseDispatch(dispatchBodyOf(fields, rows), today()), claim);
    redirect(req, res, `/dispatches/${encodeURIComponent(result.body!.number)}`);
  });
  // The dispatch journal links here as its source document, so every role may open it.
  r.get('/dispatches/:number', requireUser(), async (req, res) => {
    const dispatch = await dispatchView(db, actorOf(req).tenantId, String(req.params.number));
    if (!dispatch) throw new NotFound('Dispatch', String(req.params.number));
    const lines = dispatch.lines.map((l) => ({ ...l, serials: l.serials.map((s) => ({ serial: s, trace: `/trace/serial/${encodeURIComponent(l.part)}/${encodeURIComponent(s)}` })) }));
    render(req, res, 'pages/dispatches/show', { title: `Dispatch ${dispatch.number}`, dispatch, lines });
  });
  return r;
}
