import { Request, Response, Router } from 'express';
import { Db } from '../../db';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { parseRecallQuery, scanQuery } from '../../http/planning-input';
import { DomainError } from '../../errors';
import { shortageCascade } from '../../services/planning/shortages';
import { asBuilt } from '../../services/trace/as-built';
import { recall } from '../../services/trace/recall';
import { recallCsv } from '../../services/trace/recall-csv';
import { findTraceable, Traceable } from '../../services/trace/scan';

/** Shortages and traceability: read-only pages every signed-in role may see. */
export function planningPages(db: Db): Router {
  const r = Router();
  r.get('/shortages', requireUser(), async (req, res) => {
    render(req, res, 'pages/shortages', { title: 'Shortages', report: await shortageCascade(db, actorOf(req).tenantId) });
  });

  r.get('/trace', requireUser(), (req, res) => scan(db, req, res));
  r.get('/trace/serial/:part/:serial', requireUser(), async (req, res) => {
    const a = await asBuilt(db, actorOf(req).tenantId, String(req.params.part), String(req.params.serial));
    render(req, res, 'pages/trace/serial', { title: `${a.part} ${a.serial}`, a });
  });
  // Before /trace/recall/:part, which would take "PUMP.csv" for a SKU.
  r.get('/trace/recall/:part.csv', requireUser(), async (req, res) => {
    const report = await recall(db, actorOf(req).tenantId, String(req.params.part), parseRecallQuery(req.query));
    const name = `recall-${report.part}-${report.lot ?? report.serial}`.replace(/[^A-Za-z0-9._-]+/g, '_');
    res.type('text/csv').attachment(`${name}.csv`).send(recallCsv(report));
  });
  r.get('/trace/recall/:part', requireUser(), async (req, res) => {
    const report = await recall(db, actorOf(req).tenantId, String(req.params.part), parseRecallQuery(req.query));
    render(req, res, 'pages/trace/recall', { title: `Recall ${report.part} ${report.lot ?? report.serial}`, r: report });
  });
  return r;
}

/**
 * The scan box: a code (and optionally its part) goes straight to the report when it names one
 * thing; several matches are listed to pick from; nothing, or an unknown part, is said on the page.
 */
async function scan(db: Db, req: Request, res: Response): Promise<void> {
  const input = scanQuery.safeParse(req.query);
  const values = { code: String(req.query.code ?? ''), part: String(req.query.part ?? ''), report: input.success ? input.data.report : 'as_built' };
  if (!input.success || !input.data.code) {
    render(req, res.status(input.success ? 200 : 422), 'pages/trace/index', { title: 'Trace', values, problem: input.success ? undefined : 'A scanned code is at most 64 characters' });
    return;
  }
  const { code, part, report } = input.data;
  let found: Traceable[];
  try {
    found = await findTraceable(db, actorOf(req).tenantId, code, part);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    render(req, res.status(err.status), 'pages/trace/index', { title: 'Trace', values, problem: err.message });
    return;
  }
  const links = found.map((t) => ({ ...t, href: traceHref(t, report) }));
  if (links.length === 1) return res.redirect(303, links[0].href);
  const problem = links.length ? undefined : `Nothing has serial or lot ${code}${part ? ` of ${part}` : ''}`;
  render(req, res.status(links.length ? 200 : 404), 'pages/trace/index', { title: 'Trace', values, problem, links });
}

function traceHref(t: Traceable, report: 'as_built' | 'recall'): string {
  const part = encodeURIComponent(t.part);
  if (t.serial && report === 'as_built') return `/trace/serial/${part}/${encodeURIComponent(t.serial)}`;
  return `/trace/recall/${part}?${new URLSearchParams(t.serial ? { serial: t.serial } : { lot: t.lot ?? '' }).toString()}`;
}
