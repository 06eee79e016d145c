import { OpenApiKit } from './openapi-purchasing';

// The Xero connection part of the OpenAPI document (see openapi.ts, which merges it in).

type Schema = { [key: string]: unknown };

export function xeroDoc(k: OpenApiKit): { schemas: Record<string, Schema>; paths: Record<string, Schema>; tags: { name: string; description: string }[] } {
  const { ref, nullable, text, int, oneOf, list, date, record, operation } = k;
  const timestamp = (what: string) => text(what, { format: 'date-time' });
  const schemas: Record<string, Schema> = {
    XeroConnection: record({
      organisation_name: text('The Xero organisation journals are posted to'),
      status: oneOf(['connected', 'needs_reconnect', 'disconnected'], 'needs_reconnect: Xero refused the tokens (disconnected in Xero, or unused for 60 days); journals wait until an admin reconnects'),
      problem: nullable(text('Why the connection needs reconnecting')),
      base_currency: nullable(text('The Xero organisation\'s base currency', { example: 'GBP' })),
      period_lock_date: nullable(date('Xero\'s period lock date: journals dated on or before it are posted on the next open day')),
      end_of_year_lock_date: nullable(date('Xero\'s end-of-year lock date')),
      scopes: list(text('A scope Xero granted')),
      connected_since: timestamp('When the organisation was first connected'),
      last_sync_at: nullable(timestamp('When suppliers, items, purchase orders and accounts were last pulled')),
      sync_status: oneOf(['idle', 'running', 'failed'], 'The pull\'s state'),
      sync_progress: nullable(record({ phase: text('What is being pulled'), done: int('Records done'), total: nullable(int('Records expected, when known')) })),
      last_sync_error: nullable(text('Why the last pull stopped')),
      warnings: list(record({ code: text('e.g. tracked_item'), message: text('What to do'), item: nullable(text('The Xero item code concerned')) })),
      journals: record({ waiting: int('Journals not yet posted, retried by themselves (Xero unavailable, a rate limit, a reconnect)'), failed: int('Journals that need a person: Xero refused them or they ran out of attempts; open each to see why and retry'), posted: int('Journals posted to Xero'), why: nullable(text('Why the waiting journals wait: Xero not answering (since when), its rate limit, a reconnect, or the next call they share')) }),
    }),
  };
  const paths: Record<string, Schema> = {
    '/xero/connection': {
      get: operation({
        id: 'getXeroConnection', tag: 'Xero', summary: 'The Xero connection', roles: ['admin'], errors: [404],
        description: 'Which Xero organisation is connected, whether the connection works, the last pull and journals waiting. Connecting is done in a browser at Settings → Xero.',
        ok: { status: 200, description: 'The connection', schema: ref('XeroConnection') },
      }),
      delete: operation({
        id: 'disconnectXero', tag: 'Xero', summary: 'Disconnect Xero', roles: ['admin'], errors: [404],
        description: 'Removes the app from the Xero organisation (DELETE /connections/{id} at Xero) and forgets the tokens. Journals made afterwards wait for a reconnect. told_xero is false when Xero could not be told; remove the app there by hand.',
        ok: { status: 200, description: 'The connection, now disconnected', schema: { allOf: [ref('XeroConnection'), record({ told_xero: k.bool('Whether Xero confirmed the disconnect') })] } },
      }),
    },
  };
  return { schemas, paths, tags: [{ name: 'Xero', description: 'The connection to Xero' }] };
}
