import { Db } from '../db';
import { ring } from '../jobs/bell';
import { Conflict, NotFound } from '../errors';

// The webhook inbox: deliveries are recorded here before they are acknowledged, and
// server/jobs/webhook-worker.ts processes them afterwards.

export type WebhookProvider = 'xero' | 'quickbooks';
export const WEBHOOK_STATUSES = ['pending', 'processed', 'failed', 'dead'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** One event as a provider delivered it, with the key that makes a redelivery a no-op. */
export type IncomingWebhookEvent = {
  dedupeKey: string;
  externalTenantId: string;
  category: string;
  type: string;
  resourceId: string;
  /** Null when the provider's date was unusable: the time it arrived stands in. */
  eventDate: Date | null;
  payload: unknown;
  /** Why the event cannot be processed: it is stored to show that, and the worker records it failed. */
  unusable?: string;
};

/** Where an unusable event's reason waits in its stored payload for the worker. */
export const UNUSABLE_KEY = 'perpetua_unusable';

export type WebhookEvent = {
  id: string;
  provider: WebhookProvider;
  externalTenantId: string;
  tenantId: string | null;
  category: string;
  type: string;
  resourceId: string;
  eventDate: Date;
  payload: unknown;
  receivedAt: Date;
  status: WebhookStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  processedAt: Date | null;
};

export function toWebhookEvent(r: Record<string, any>): WebhookEvent {
  return {
    id: r.id,
    provider: r.provider,
    externalTenantId: r.external_tenant_id,
    tenantId: r.tenant_id,
    category: r.category,
    type: r.type,
    resourceId: r.resource_id,
    eventDate: r.event_date,
    payload: r.payload,
    receivedAt: r.received_at,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    processedAt: r.processed_at,
  };
}

/**
 * Stores a delivery's events in one statement; an event already stored (same provider and
 * dedupe key, from this delivery or any earlier one, or a concurrent one) is skipped by the unique
 * index. Answers how many were new.
 */
export async function recordWebhookEvents(db: Db, provider: WebhookProvider, events: IncomingWebhookEvent[]): Promise<number> {
  if (!events.length) return 0;
  const rows = events.map((e) => ({
    provider,
    dedupe_key: e.dedupeKey,
    external_tenant_id: e.externalTenantId,
    category: e.category,
    type: e.type,
    resource_id: e.resourceId,
    event_date: e.eventDate ?? db.fn.now(),
    payload: JSON.stringify(e.unusable ? { ...(e.payload as object), [UNUSABLE_KEY]: e.unusable } : e.payload),
  }));
  const inserted = await db('webhook_events').insert(rows).onConflict(['provider', 'dedupe_key']).ignore().returning('id');
  if (inserted.length) ring('webhooks');
  return inserted.length;
}

/** An organisation's most recent events, newest first. */
export async function listWebhookEvents(db: Db, tenantId: string, opts: { status?: WebhookStatus; limit?: number } = {}): Promise<WebhookEvent[]> {
  const q = db('webhook_events').where({ tenant_id: tenantId }).orderBy('received_at', 'desc').orderBy('id').limit(opts.limit ?? 100);
  if (opts.status) q.where({ status: opts.status });
  return (await q).map(toWebhookEvent);
}

/** Puts a failed or dead event back in the queue, due now, with its attempts counted afresh. */
export async function retryWebhookEvent(db: Db, tenantId: string, id: string): Promise<WebhookEvent> {
  const [row] = await db('webhook_events').where({ tenant_id: tenantId, id }).whereIn('status', ['failed', 'dead'])
    .update({ status: 'pending', attempts: 0, next_attempt_at: db.fn.now() }).returning('*');
  if (row) return toWebhookEvent(row);
  const existing = await db('webhook_events').where({ tenant_id: tenantId, id }).first('status');
  if (!existing) throw new NotFound('Webhook event', id);
  throw new Conflict(`Webhook event ${id} is ${existing.status}: only failed or dead events can be retried`);
}
