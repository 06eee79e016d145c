import crypto from 'node:crypto';
import { RequestHandler } from 'express';
import { z } from 'zod';
import { Db } from '../server/db';
import { Logger } from '../server/logger';
import { IncomingWebhookEvent, recordWebhookEvents } from '../server/services/webhook-inbox';
import { findUnstorableText, storableJson, storableText } from '../server/domain/text';
import { jsonNestingDepth, MAX_JSON_DEPTH } from '../server/domain/json-depth';

// Xero webhooks (developer.xero.com/documentation/webhooks/configuring-your-server): the body is
// signed with the app's webhook key, a bad signature must answer 401, and a good delivery 200
// with no body within 5 seconds, or Xero retries and, after a day of failures, disables the
// webhook. So the request only verifies and stores; the worker does the rest afterwards.

/** base64(HMAC-SHA256(raw body, key)) compared with `x-xero-signature` in constant time. */
export function verifyXeroSignature(rawBody: Buffer, signature: string | undefined, key: string): boolean {
  if (!signature) return false;
  const expected = crypto.createHmac('sha256', key).update(rawBody).digest();
  const given = Buffer.from(signature, 'base64');
  // timingSafeEqual throws on different lengths; a length mismatch is simply a bad signature.
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

const xeroEvent = z.looseObject({
  resourceId: z.string().min(1).max(100),
  eventCategory: z.string().min(1).max(40),
  eventType: z.string().min(1).max(40),
  tenantId: z.string().min(1).max(100),
  eventDateUtc: z.string().min(1).max(40),
});
const xeroDelivery = z.object({ events: z.array(z.unknown()).max(1000) });

/** Xero began in 2006 and stamps events as it sends them: a date outside these years is not one. */
const SANE_YEARS = { from: 2000, to: 2100 };

/**
 * The events of a verified delivery, or null when it is not a Xero webhook payload at all. An
 * event we cannot use (text PostgreSQL cannot store, a date out of range, a field missing) is
 * still returned, made storable and marked `unusable` with the reason: acknowledging the delivery
 * matters more than any one event, as Xero disables a webhook that keeps failing.
 */
export function parseXeroDelivery(rawBody: Buffer): IncomingWebhookEvent[] | null {
  if (jsonNestingDepth(rawBody) > MAX_JSON_DEPTH) return null;
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = xeroDelivery.safeParse(json);
  return parsed.success ? parsed.data.events.map(toIncoming) : null;
}

function toIncoming(raw: unknown): IncomingWebhookEvent {
  const e = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const field = (k: string) => storableText(typeof e[k] === 'string' ? (e[k] as string) : '');
  const eventDate = eventDateOf(field('eventDateUtc'));
  const fields = { tenantId: field('tenantId'), eventCategory: field('eventCategory'), eventType: field('eventType'), resourceId: field('resourceId'), eventDateUtc: field('eventDateUtc') };
  return {
    dedupeKey: xeroDedupeKey(fields),
    externalTenantId: fields.tenantId,
    category: fields.eventCategory,
    type: fields.eventType,
    resourceId: fields.resourceId,
    eventDate,
    payload: storableJson(e),
    unusable: unusableReason(e, eventDate) ?? undefined,
  };
}

/** Xero writes eventDateUtc without a zone ("2024-06-21T01:15:39.902"): it is UTC. */
function eventDateOf(text: string): Date | null {
  const d = new Date(/(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text}Z`);
  const year = d.getUTCFullYear();
  return Number.isNaN(d.getTime()) || year < SANE_YEARS.from || year >= SANE_YEARS.to ? null : d;
}

function unusableReason(e: Record<string, unknown>, eventDate: Date | null): string | null {
  const text = findUnstorableText(e);
  if (text) return `${text.path.join('.')} ${text.reason}`;
  const shape = xeroEvent.safeParse(e);
  if (!shape.success) return shape.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  if (!eventDate) return `eventDateUtc "${e.eventDateUtc}" is not a date between ${SANE_YEARS.from} and ${SANE_YEARS.to}`;
  return null;
}

/** An event's identity: Xero redelivers the same fields, so the same event hashes the same. */
export function xeroDedupeKey(e: { tenantId: string; eventCategory: string; eventType: string; resourceId: string; eventDateUtc: string }): string {
  return crypto.createHash('sha256').update(JSON.stringify([e.tenantId, e.eventCategory, e.eventType, e.resourceId, e.eventDateUtc])).digest('hex');
}

/**
 * POST /webhooks/xero. The body is raw bytes (webhooks/index.ts) and is not parsed until the
 * signature over those bytes checks out. "Intent to receive" is a signed delivery with no events:
 * it gets the same 200 / 401 as any other.
 */
export function xeroWebhook(db: Db, key: string | undefined, log: Logger): RequestHandler {
  let warned = false;
  return async (req, res) => {
    if (!key) {
      if (!warned) log.warn({ event: 'webhook.xero.no_key' }, 'XERO_WEBHOOK_KEY is not set: Xero webhook deliveries are refused with 401');
      warned = true;
      res.status(401).end();
      return;
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifyXeroSignature(raw, req.get('x-xero-signature'), key)) {
      res.status(401).end();
      return;
    }
    const events = parseXeroDelivery(raw);
    if (!events) {
      log.warn({ event: 'webhook.xero.malformed', bytes: raw.length }, 'signed Xero delivery is not a webhook payload');
      res.status(400).end();
      return;
    }
    const stored = await recordWebhookEvents(db, 'xero', events);
    log.debug({ event: 'webhook.xero.received', events: events.length, stored }, 'Xero webhook delivery stored');
    res.status(200).end();
  };
}
