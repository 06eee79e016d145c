import { Db } from '../db';
import { Logger } from '../logger';
import { afterFailure, claimDue, msFromNow, startPolling } from './queue';
import { toWebhookEvent, UNUSABLE_KEY, WebhookEvent, WebhookProvider } from '../services/webhook-inbox';

/** Does the work an event asks for (fetch the invoice, update the contact...); throws to retry. */
export type WebhookHandler = (event: WebhookEvent) => Promise<void>;
/** Handlers by provider and event category ("INVOICE", "CONTACT"...). */
export type WebhookHandlers = Partial<Record<WebhookProvider, Partial<Record<string, WebhookHandler>>>>;

export type WorkerOptions = {
  log?: Logger;
  batch?: number;
  /** Our organisation for the provider's tenant (from the accounting connection); null when none is connected. */
  resolveTenant?: (provider: WebhookProvider, externalTenantId: string) => Promise<string | null>;
};

export const MAX_ATTEMPTS = 10;
/** 30 s, 1 min, 2 min... capped at an hour: about three hours of retries before an event is dead. */
export const backoffMs = (attempt: number) => Math.min(60 * 60_000, 30_000 * 2 ** (attempt - 1));
/** An event nobody handles yet is looked at again this often, so a deploy that adds its handler picks it up. */
export const UNHANDLED_RECHECK_MS = 5 * 60_000;

/**
 * Processes due webhook events. Each is claimed with FOR UPDATE SKIP LOCKED in a short transaction
 * that only leases it (next attempt a minute away, attempt counted), so any number of workers can
 * run at once and a crash mid-handler leaves the event to be retried; the handler runs outside
 * any transaction, as it calls the accounting system.
 */
export async function drainWebhooks(db: Db, handlers: WebhookHandlers, opts: WorkerOptions = {}): Promise<number> {
  let done = 0;
  for (let i = 0; i < (opts.batch ?? 50); i++) {
    const row = await claimDue(db, 'webhook_events');
    const event = row ? toWebhookEvent(row) : undefined;
    if (!event) break;
    await processEvent(db, handlers, event, opts);
    done++;
  }
  return done;
}



async function processEvent(db: Db, handlers: WebhookHandlers, event: WebhookEvent, opts: WorkerOptions): Promise<void> {
  const update = (fields: Record<string, unknown>) => db('webhook_events').where({ id: event.id }).update(fields);
  let owner = {};
  try {
    const tenantId = event.tenantId ?? (await opts.resolveTenant?.(event.provider, event.externalTenantId)) ?? null;
    // Matched to an organisation, the event shows on its admin's Webhook events page.
    owner = tenantId && !event.tenantId ? { tenant_id: tenantId } : {};
    const unusable = (event.payload as Record<string, unknown> | null)?.[UNUSABLE_KEY];
    if (typeof unusable === 'string') {
      // No retry can mend what the provider sent: it fails for good, with the reason, at once.
      await update({ ...owner, status: 'dead', last_error: `${event.provider} sent an event that cannot be processed: ${unusable}`.slice(0, 2000) });
      return;
    }
    const handler = handlers[event.provider]?.[event.category];
    if (!handler) {
      // Not a failure of the event: it waits, uncounted, for the handler to be written.
      await update({ ...owner, attempts: event.attempts - 1, last_error: `no handler for ${event.category} events yet`, next_attempt_at: msFromNow(db, UNHANDLED_RECHECK_MS) });
      return;
    }
    await handler({ ...event, tenantId });
    await update({ ...owner, status: 'processed', processed_at: db.fn.now(), last_error: null });
  } catch (err) {
    const f = afterFailure(err, event.attempts, { maxAttempts: MAX_ATTEMPTS, backoffMs });
    const dead = f.status === 'dead';
    await update({ ...owner, status: f.status, attempts: f.attempts, last_error: f.message, next_attempt_at: msFromNow(db, f.waitMs) });
    opts.log?.warn({ event: 'webhook.failed', webhookEventId: event.id, provider: event.provider, category: event.category, attempts: event.attempts, dead }, 'webhook event processing failed');
  }
}

export function startWebhookWorker(db: Db, handlers: WebhookHandlers, opts: WorkerOptions & { intervalMs?: number } = {}) {
  return startPolling('webhook', () => drainWebhooks(db, handlers, opts), { ...opts, wakeOn: 'webhooks' });
}
