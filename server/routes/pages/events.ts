import { Router } from 'express';
import { Db } from '../../db';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { reversalCommand } from '../../http/commands';
import { idParam } from '../../http/schemas';
import { formClaim } from '../../http/form-claim';
import { today } from '../../clock';
import { reverseStockEvent } from '../../services/stock/reverse-event';
import { eventDetail, listEvents, journalDetail } from '../../services/queries';
import { redirect } from './auth';

/** The activity list, each event (the source document of its journal) and its reversal. */
export function eventPages(db: Db): Router {
  const r = Router();
  r.get('/events', requireUser(), async (req, res) => {
    render(req, res, 'pages/events/index', { events: await listEvents(db, actorOf(req).tenantId, 100) });
  });
  r.get('/events/:id', requireUser(), async (req, res) => {
    const event = await eventDetail(db, actorOf(req).tenantId, idParam(req.params.id, 'Stock event'));
    // The bookkeeper's question on this page: has its journal reached the ledger?
    const posting = event.journal ? (await journalDetail(db, actorOf(req).tenantId, event.journal.id)).posting : null;
    render(req, res, 'pages/events/show', { event, posting });
  });
  r.post('/events/:id/reverse', requireUser('admin', 'operations'), async (req, res) => {
    const id = idParam(req.params.id, 'Stock event');
    res.locals.form = { view: 'pages/events/show', data: { event: await eventDetail(db, actorOf(req).tenantId, id) } };
    const { claim, fields } = formClaim(req);
    const b = reversalCommand.parse({ occurred_on: fields.occurred_on || undefined, reason: fields.reason || undefined });
    const result = await reverseStockEvent(db, actorOf(req), id, b.occurred_on ?? today(), b.reason ?? '', claim);
    redirect(req, res, `/events/${result.body.id}`);
  });
  return r;
}
