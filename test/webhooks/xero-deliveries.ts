import crypto from 'node:crypto';

// Xero webhook payloads shaped as Xero's OpenAPI file (reference/xero/xero-webhooks.yaml) describes
// them, and their x-xero-signature: base64(HMAC-SHA256(body, webhook key)).

export const XERO_WEBHOOK_KEY = 'test-webhook-key-0123456789abcdefghijklmnopqrstuvwxyz';
export const XERO_TENANT = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f';

export type XeroEvent = { resourceUrl: string; resourceId: string; eventDateUtc: string; eventType: string; eventCategory: string; tenantId: string; tenantType: string; data?: unknown };

export function xeroEvent(n: number, over: Partial<XeroEvent> = {}): XeroEvent {
  const resourceId = `717f2bfc-c6d4-41fd-b238-${String(n).padStart(12, '0')}`;
  const category = over.eventCategory ?? 'INVOICE';
  const path = category === 'CONTACT' ? 'Contacts' : category === 'CREDITNOTE' ? 'CreditNotes' : 'Invoices';
  return {
    resourceUrl: `https://api.xero.com/api.xro/2.0/${path}/${over.resourceId ?? resourceId}`,
    resourceId,
    eventDateUtc: `2026-11-25T01:15:${String(n % 60).padStart(2, '0')}.902`,
    eventType: 'UPDATE',
    eventCategory: category,
    tenantId: XERO_TENANT,
    tenantType: 'ORGANISATION',
    // Credit-note events carry the note's Type and Status (CreditNoteWebhookEvent requires `data`).
    ...(category === 'CREDITNOTE' ? { data: { Type: 'ACCPAYCREDIT', Status: 'AUTHORISED' } } : {}),
    ...over,
  };
}

let sequence = 0;
export function delivery(events: XeroEvent[]): string {
  const first = ++sequence;
  sequence += Math.max(events.length - 1, 0);
  return JSON.stringify({ events, firstEventSequence: first, lastEventSequence: sequence, entropy: crypto.randomBytes(10).toString('hex').toUpperCase() });
}

/** What Xero sends when the webhook is saved: no events, sequences 0. */
export const intentToReceive = () => JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'S0m3r4Nd0mt3xt' });

export function sign(body: string | Buffer, key = XERO_WEBHOOK_KEY): string {
  return crypto.createHmac('sha256', key).update(body).digest('base64');
}
