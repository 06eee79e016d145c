import { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { render, isHtmx } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { isoDate } from '../../http/schemas';
import { formClaim, formFields } from '../../http/form-claim';
import { toPartInput } from '../../http/catalogue-input';
import { today } from '../../clock';
import { toStockFilter } from '../api/catalogue';
import { createPart, listLocations } from '../../services/catalogue';
import { PART_CSV_COLUMNS } from '../../services/import-parts';
import { startPartsImport, importRun } from '../../services/parts-import-runs';
import { readPartsCsvInSteps } from '../../http/parts-csv-input';
import { importRunPage } from '../../http/import-run-page';
import { uploadedCsv } from '../../http/csv-upload';
import { toProblem } from '../../http/error-handler';
import { stockList, partDetail } from '../../services/queries';
import { buyingLessSummary } from '../../services/purchasing/buying-less';
import { redirect } from './auth';

// The CSV itself is a chosen file or the paste box, read by uploadedCsv.
const importForm = z.object({
  csv: z.string().optional(),
  occurred_on: z.preprocess((v) => v || undefined, isoDate.optional()),
}).strict();

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

/** The stock list, parts and the CSV import of parts with opening stock. */
export function partPages(db: Db): Router {
  const r = Router();
  r.get('/stock', requireUser(), async (req, res) => {
    const filter = toStockFilter(req.query);
    const [list, locations] = await Promise.all([stockList(db, actorOf(req).tenantId, filter), listLocations(db, actorOf(req).tenantId)]);
    // The dashboard card is for buyers and the shop floor, on the full page only (not the live search).
    const buyingLess = !isHtmx(req) && actorOf(req).role !== 'bookkeeper' ? await buyingLessSummary(db, actorOf(req).tenantId) : null;
    // A live search swaps the rows and, out of band, the pager beneath them.
    render(req, res, 'pages/stock/index', { rows: list.parts, pager: pager(req.query, list), locations, filter: req.query, htmxFragment: isHtmx(req), buyingLess }, { fragment: 'stock/rows' });
  });
  r.get('/parts/new', requireUser('admin', 'operations'), async (req, res) => {
    render(req, res, 'pages/parts/new', { locations: await listLocations(db, actorOf(req).tenantId), values: {} });
  });
  r.post('/parts', requireUser('admin', 'operations'), async (req, res) => {
    res.locals.form = { view: 'pages/parts/new', data: { locations: await listLocations(db, actorOf(req).tenantId) } };
    const part = await createPart(db, actorOf(req).tenantId, toPartInput(formFields(req)));
    redirect(req, res, `/parts/${encodeURIComponent(part.sku)}`);
  });
  r.get('/parts/:sku', requireUser(), async (req, res) => {
    render(req, res, 'pages/parts/show', await partDetail(db, actorOf(req).tenantId, String(req.params.sku)));
  });
  r.get('/import', requireUser('admin'), (req, res) => {
    render(req, res, 'pages/import', { columns: PART_CSV_COLUMNS.join(','), values: { occurred_on: today() } });
  });
  // The import runs in the background: htmx gets the self-polling progress fragment at once, a
  // plain form post goes to the progress page, which refreshes itself until the run is over.
  r.post('/import', requireUser('admin'), async (req, res) => {
    res.locals.form = { view: 'pages/import', data: { columns: PART_CSV_COLUMNS.join(',') } };
    const { claim, fields } = formClaim(req);
    const b = importForm.parse(fields);
    const csv = uploadedCsv(req);
    const run = {
      key: claim?.key ?? null, occurredOn: b.occurred_on ?? today(), describe: toProblem,
      read: (progress: (checked: number, total: number) => Promise<void>) => readPartsCsvInSteps(csv, progress),
    };
    const crashed = (err: unknown) => req.log.error({ err, event: 'import.failed' }, 'parts import failed');
    const id = await startPartsImport(db, actorOf(req), run, crashed);
    if (!isHtmx(req)) return void res.redirect(303, `/imports/${id}`);
    res.set('HX-Push-Url', `/imports/${id}`);
    const page = importRunPage(await importRun(db, actorOf(req).tenantId, id));
    render(req, res.status(202), 'pages/imports/show', page, { fragment: 'imports/progress' });
  });
  r.get('/imports/:id', requireUser('admin'), async (req, res) => {
    const page = importRunPage(await importRun(db, actorOf(req).tenantId, String(req.params.id)));
    render(req, res, 'pages/imports/show', page, { fragment: 'imports/progress' });
  });
  return r;
}
