import { Router } from 'express';
import { Db } from '../../db';
import { render, isHtmx } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { parseStockCommand, reversalCommand, today, CommandKind } from '../../http/commands';
import { idParam, isoDate } from '../../http/schemas';
import { formClaim } from '../../http/form-claim';
import { z } from 'zod';
import { toPartInput } from '../../http/catalogue-input';
import { toStockFilter } from '../api/catalogue';
import { postStockEvent } from '../../services/stock/post-event';
import { reverseStockEvent } from '../../services/stock/reverse-event';
import { createPart, listLocations } from '../../services/catalogue';
import { importPartsCsv, PART_CSV_COLUMNS } from '../../services/import-parts';
import { stockList, partDetail, eventDetail, listEvents } from '../../services/queries';
import { redirect } from './auth';

/** The stock forms: one line each, posted as the same commands the API takes. */
const FORMS: Record<string, { kind: CommandKind; title: string; roles: ('admin' | 'operations')[] }> = {
  opening: { kind: 'opening_balance', title: 'Opening stock', roles: ['admin'] },
  receive: { kind: 'receipt', title: 'Receive stock', roles: ['admin', 'operations'] },
  issue: { kind: 'issue', title: 'Issue stock', roles: ['admin', 'operations'] },
  adjust: { kind: 'adjustment', title: 'Adjust stock', roles: ['admin', 'operations'] },
  transfer: { kind: 'transfer', title: 'Transfer stock', roles: ['admin', 'operations'] },
};

const importForm = z.object({ csv: z.string().max(5_000_000, 'The CSV is too large (5 MB at most)'), occurred_on: z.preprocess((v) => v || undefined, isoDate.optional()) }).strict();

/** A form's flat fields become the command's single line. */
function formToCommand(kind: CommandKind, b: Record<string, string>) {
  const { occurred_on, reference, reason, expense_account, ...line } = b;
  const header = { occurred_on: occurred_on || undefined, reference, reason };
  const lineFields = Object.fromEntries(Object.entries(line).filter(([, v]) => v !== ''));
  return kind === 'issue' ? { ...header, expense_account: expense_account || undefined, lines: [lineFields] } : { ...header, lines: [lineFields] };
}

/** Links to the previous and next page of the stock list, keeping the filters. */
function pager(query: Record<string, unknown>, list: { total: number; limit: number; offset: number; parts: unknown[] }) {
  const link = (offset: number) => `/stock?${new URLSearchParams({ ...(query as Record<string, string>), offset: String(offset) })}`;
  const shownTo = list.offset + list.parts.length;
  return {
    from: list.parts.length ? list.offset + 1 : 0,
    to: shownTo,
    total: list.total,
    prev: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
    next: shownTo < list.total ? link(shownTo) : null,
  };
}

export function stockPages(db: Db): Router {
  const r = Router();
  r.get('/stock', requireUser(), async (req, res) => {
    const filter = toStockFilter(req.query);
    const [list, locations] = await Promise.all([stockList(db, actorOf(req).tenantId, filter), listLocations(db, actorOf(req).tenantId)]);
    // A live search swaps the rows and, out of band, the pager beneath them.
    render(req, res, 'pages/stock/index', { rows: list.parts, pager: pager(req.query, list), locations, filter: req.query, htmxFragment: isHtmx(req) }, { fragment: 'stock/rows' });
  });
  r.get('/parts/new', requireUser('admin', 'operations'), async (req, res) => {
    render(req, res, 'pages/parts/new', { locations: await listLocations(db, actorOf(req).tenantId), values: {} });
  });
  r.post('/parts', requireUser('admin', 'operations'), async (req, res) => {
    res.locals.form = { view: 'pages/parts/new', data: { locations: await listLocations(db, actorOf(req).tenantId) } };
    const { _csrf, ...body } = req.body;
    void _csrf;
    const part = await createPart(db, actorOf(req).tenantId, toPartInput(body));
    redirect(req, res, `/parts/${encodeURIComponent(part.sku)}`);
  });
  r.get('/parts/:sku', requireUser(), async (req, res) => {
    render(req, res, 'pages/parts/show', await partDetail(db, actorOf(req).tenantId, String(req.params.sku)));
  });
  r.get('/events', requireUser(), async (req, res) => {
    render(req, res, 'pages/events/index', { events: await listEvents(db, actorOf(req).tenantId, 100) });
  });
  r.get('/events/:id', requireUser(), async (req, res) => {
    render(req, res, 'pages/events/show', { event: await eventDetail(db, actorOf(req).tenantId, idParam(req.params.id, 'Stock event')) });
  });
  r.post('/events/:id/reverse', requireUser('admin', 'operations'), async (req, res) => {
    const id = idParam(req.params.id, 'Stock event');
    res.locals.form = { view: 'pages/events/show', data: { event: await eventDetail(db, actorOf(req).tenantId, id) } };
    const { claim, fields } = formClaim(req);
    const b = reversalCommand.parse({ occurred_on: fields.occurred_on || undefined, reason: fields.reason || undefined });
    const result = await reverseStockEvent(db, actorOf(req), id, b.occurred_on ?? today(), b.reason ?? '', claim);
    redirect(req, res, `/events/${result.body.id}`);
  });
  r.get('/import', requireUser('admin'), (req, res) => {
    render(req, res, 'pages/import', { columns: PART_CSV_COLUMNS.join(','), values: { occurred_on: today() } });
  });
  r.post('/import', requireUser('admin'), async (req, res) => {
    res.locals.form = { view: 'pages/import', data: { columns: PART_CSV_COLUMNS.join(',') } };
    const { claim, fields } = formClaim(req);
    const b = importForm.parse(fields);
    const result = await importPartsCsv(db, actorOf(req), b.csv, b.occurred_on ?? today(), claim);
    render(req, res, 'pages/import', { columns: PART_CSV_COLUMNS.join(','), result, values: { occurred_on: today() } });
  });
  for (const [slug, form] of Object.entries(FORMS)) {
    r.get(`/stock/${slug}`, requireUser(...form.roles), async (req, res) => {
      const locations = await listLocations(db, actorOf(req).tenantId);
      render(req, res, 'pages/stock/form', { slug, form, locations, values: { occurred_on: today(), ...req.query } });
    });
    r.post(`/stock/${slug}`, requireUser(...form.roles), async (req, res) => {
      res.locals.form = { view: 'pages/stock/form', data: { slug, form, locations: await listLocations(db, actorOf(req).tenantId) } };
      const { claim, fields } = formClaim(req);
      const cmd = parseStockCommand(form.kind, formToCommand(form.kind, fields), today());
      const result = await postStockEvent(db, actorOf(req), cmd, claim);
      redirect(req, res, `/events/${result.body.id}`);
    });
  }
  return r;
}
