import { OpenApiKit } from './openapi-purchasing';
import { WEBHOOK_STATUSES } from '../services/webhook-inbox';

// The webhook events part of the OpenAPI document (see openapi.ts, which lends its schema helpers
// and merges these in).

type Schema = { [key: string]: unknown };

export function webhooksDoc(k: OpenApiKit): { schemas: Record<string, Schema>; paths: Record<string, Schema>; tags: { name: string; description: string }[] } {
  const { ref, nullable, text, int, oneOf, list, uuid, record, param, operation } = k;
  const timestamp = (what: string) => text(what, { format: 'date-time' });

  const schemas: Record<string, Schema> = {
    WebhookEvent: record({
      id: uuid(),
      provider: oneOf(['xero', 'quickbooks'], 'The accounting system that sent it'),
      category: text('What changed, in the provider\'s words', { example: 'INVOICE' }),
      type: text('How it changed', { example: 'UPDATE' }),
      resource_id: text('The changed record\'s id in the accounting system'),
      event_date: timestamp('When it changed there'),
      received_at: timestamp('When the delivery was received'),
      status: oneOf(WEBHOOK_STATUSES, 'pending (waiting to be processed, or for its handler), processed, failed (retried after a growing wait) or dead (gave up; retry from Settings → Webhook events)'),
      attempts: int('Processing attempts so far'),
      next_attempt_at: timestamp('When it is next tried (pending or failed)'),
      last_error: nullable(text('Why the last attempt did not process it')),
      processed_at: nullable(timestamp('When it was processed')),
    }),
  };
  const paths: Record<string, Schema> = {
    '/webhook-events': {
      get: operation({
        id: 'listWebhookEvents', tag: 'Webhooks', summary: 'Webhook events received for the organisation, newest first', roles: ['admin'], errors: [422],
        description: 'The 100 most recent changes the accounting system announced for this organisation, and how processing each went.',
        params: [param('status', 'query', oneOf(WEBHOOK_STATUSES), 'Only events in this state')],
        ok: { status: 200, description: 'The events', schema: record({ webhook_events: list(ref('WebhookEvent')) }) },
      }),
    },
  };
  return { schemas, paths, tags: [{ name: 'Webhooks', description: 'Changes announced by the accounting system' }] };
}
