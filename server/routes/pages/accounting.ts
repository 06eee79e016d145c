import { Router } from 'express';
import { Db } from '../../db';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { idParam, asAtQuery } from '../../http/schemas';
import { journalsCsv } from '../../http/journals-csv';
import { listJournals, journalDetail } from '../../services/queries';
import { valuation, reconciliation } from '../../services/valuation';
import { journalExceptions, sendJournalAgain } from '../../services/journal-exceptions';
import { redirect } from './auth';

export function accountingPages(db: Db): Router {
  const r = Router();
  r.get('/journals', requireUser(), async (req, res) => {
    render(req, res, 'pages/journals/index', { journals: await listJournals(db, actorOf(req).tenantId, { limit: 200 }) });
  });
  r.get('/journals.csv', requireUser(), async (req, res) => {
    res.type('text/csv').attachment('journals.csv').send(await journalsCsv(db, actorOf(req).tenantId));
  });
  r.get('/journals/:id', requireUser(), async (req, res) => {
    render(req, res, 'pages/journals/show', { journal: await journalDetail(db, actorOf(req).tenantId, idParam(req.params.id, 'Journal')) });
  });
  // "Send again": a refused or dead posting goes now, on the accounts mapped now (e.g. after fixing the account Xero refused).
  r.post('/journals/:id/retry', requireUser('admin', 'bookkeeper'), async (req, res) => {
    const id = idParam(req.params.id, 'Journal');
    const back = req.body?.back === 'exceptions' ? '/exceptions' : `/journals/${id}`;
    res.locals.form = { view: 'pages/exceptions', data: { journals: await journalExceptions(db, actorOf(req).tenantId) } };
    await sendJournalAgain(db, actorOf(req).tenantId, id);
    redirect(req, res, back);
  });
  r.get('/exceptions', requireUser('admin', 'bookkeeper'), async (req, res) => {
    render(req, res, 'pages/exceptions', { journals: await journalExceptions(db, actorOf(req).tenantId) });
  });
  r.get('/valuation', requireUser(), async (req, res) => {
    const { as_at: asAt } = asAtQuery.parse(req.query);
    render(req, res, 'pages/valuation', { valuation: await valuation(db, actorOf(req).tenantId, asAt), asAt });
  });
  r.get('/reconciliation', requireUser(), async (req, res) => {
    render(req, res, 'pages/reconciliation', { rec: await reconciliation(db, actorOf(req).tenantId) });
  });
  return r;
}
