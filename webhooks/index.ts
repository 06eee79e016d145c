import express, { Router } from 'express';
import { Db } from '../server/db';
import { Logger } from '../server/logger';
import { xeroWebhook } from './xero';

export type WebhookDeps = { db: Db; log: Logger; xeroWebhookKey?: string };

/**
 * Mounted before any JSON parser: signatures are computed over the raw bytes. Each provider's
 * handler verifies, stores the events in the inbox and acknowledges; server/jobs/webhook-worker.ts
 * processes them afterwards. QuickBooks arrives with its connector.
 */
export function webhooksRouter({ db, log, xeroWebhookKey }: WebhookDeps): Router {
  const r = Router();
  r.use(express.raw({ type: '*/*', limit: '1mb' }));
  r.post('/xero', xeroWebhook(db, xeroWebhookKey, log));
  return r;
}
