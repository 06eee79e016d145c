import { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { listWebhookEvents, WebhookEvent, WEBHOOK_STATUSES } from '../../services/webhook-inbox';

const query = z.object({ status: z.enum(WEBHOOK_STATUSES).optional() }).strict();

export function webhookEventJson(e: WebhookEvent) {
  return {
    id: e.id, provider: e.provider, category: e.category, type: e.type, resource_id: e.resourceId,
    event_date: e.eventDate.toISOString(), received_at: e.receivedAt.toISOString(), status: e.status, attempts: e.attempts,
    next_attempt_at: e.nextAttemptAt.toISOString(), last_error: e.lastError, processed_at: e.processedAt?.toISOString() ?? null,
  };
}

/** Webhook deliveries from the accounting system, and how processing them went: admins only. */
export function webhookEventsApi(db: Db): Router {
  const r = Router();
  r.get('/webhook-events', requireRole('admin'), async (req, res) => {
    const { status } = query.parse(req.query);
    const events = await listWebhookEvents(db, actorOf(req).tenantId, { status });
    res.json({ webhook_events: events.map(webhookEventJson) });
  });
  return r;
}
