import { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { idParam } from '../../http/schemas';
import { listWebhookEvents, retryWebhookEvent, WEBHOOK_STATUSES } from '../../services/webhook-inbox';
import { redirect } from './auth';

// A filter the page does not know shows everything rather than an error: it comes from a link or the select.
const filter = z.object({ status: z.enum(WEBHOOK_STATUSES).optional().catch(undefined) });

/** Settings → Webhooks: what the accounting system sent and how processing it went, with a retry for failures. */
export function webhookEventPages(db: Db): Router {
  const r = Router();
  r.get('/settings/webhooks', requireUser('admin'), async (req, res) => {
    const { status } = filter.parse(req.query);
    const events = await listWebhookEvents(db, actorOf(req).tenantId, { status });
    const rows = events.map((e) => ({ ...e, retryable: e.status === 'failed' || e.status === 'dead' }));
    render(req, res, 'pages/webhook-events', { events: rows, status, statuses: WEBHOOK_STATUSES });
  });
  r.post('/settings/webhooks/:id/retry', requireUser('admin'), async (req, res) => {
    await retryWebhookEvent(db, actorOf(req).tenantId, idParam(req.params.id, 'Webhook event'));
    redirect(req, res, '/settings/webhooks');
  });
  return r;
}
