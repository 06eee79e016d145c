import type { Config } from '../../config';
import { Db } from '../../db';
import type { WebhookHandlers } from '../../jobs/webhook-worker';
import { XeroDeps } from './api';
import { invoiceWebhookHandler } from './invoices';
import { contactWebhookHandler } from './sync/contacts';

/** What every Xero call needs, from the configuration: one place for main.ts, the routes and tests. */
export function xeroDeps(db: Db, config: Pick<Config, 'xero' | 'encryptionKey'>): XeroDeps {
  return { db, ...config.xero, encryptionKey: config.encryptionKey };
}

/** The Xero events the webhook worker acts on: bills and sales invoices, and supplier changes. */
export function xeroWebhookHandlers(deps: XeroDeps): WebhookHandlers {
  return { xero: { INVOICE: invoiceWebhookHandler(deps), CONTACT: contactWebhookHandler(deps) } };
}
