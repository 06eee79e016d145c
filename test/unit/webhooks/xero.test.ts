import { verifyXeroSignature, parseXeroDelivery, xeroDedupeKey } from '../../../webhooks/xero';
import { sign, delivery, xeroEvent, XERO_WEBHOOK_KEY, intentToReceive } from '../../webhooks/xero-deliveries';

const body = Buffer.from(delivery([xeroEvent(1)]));

describe('verifyXeroSignature', () => {
  it('accepts base64 HMAC-SHA256 of the raw body with the webhook key', () => {
    expect(verifyXeroSignature(body, sign(body), XERO_WEBHOOK_KEY)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['made with another key', sign(body, 'another-key')],
    ['for other bytes', sign(Buffer.concat([body, Buffer.from(' ')]))],
    ['cut short', sign(body).slice(0, 20)],
    ['longer than a SHA-256', Buffer.concat([Buffer.from(sign(body), 'base64'), Buffer.from([0])]).toString('base64')],
    ['hex instead of base64', Buffer.from(sign(body), 'base64').toString('hex')],
    ['not base64 at all', '!!!!'],
  ])('refuses a signature that is %s', (_what, signature) => {
    expect(verifyXeroSignature(body, signature, XERO_WEBHOOK_KEY)).toBe(false);
  });

  it('checks the bytes as sent, not the JSON they decode to', () => {
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(verifyXeroSignature(reformatted, sign(body), XERO_WEBHOOK_KEY)).toBe(false);
  });
});

describe('parseXeroDelivery', () => {
  it('reads each event with its identity, reading the zone-less eventDateUtc as UTC', () => {
    const e = xeroEvent(7, { eventCategory: 'CONTACT', eventType: 'CREATE' });
    const [parsed] = parseXeroDelivery(Buffer.from(delivery([e])))!;
    expect(parsed).toEqual({
      dedupeKey: xeroDedupeKey(e), externalTenantId: e.tenantId, category: 'CONTACT', type: 'CREATE', resourceId: e.resourceId,
      eventDate: new Date('2026-11-25T01:15:07.902Z'), payload: e,
    });
  });

  it('keeps fields it does not know, such as a credit note\'s data', () => {
    const e = xeroEvent(1, { eventCategory: 'CREDITNOTE', data: { Type: 'ACCPAYCREDIT', Status: 'DRAFT' } });
    expect(parseXeroDelivery(Buffer.from(delivery([e])))![0].payload).toEqual(e);
  });

  it('reads intent to receive as no events', () => {
    expect(parseXeroDelivery(Buffer.from(intentToReceive()))).toEqual([]);
  });

  it.each([
    ['invalid JSON', '{"events": ['],
    ['no events array', '{"firstEventSequence": 1}'],
  ])('refuses %s', (_what, raw) => {
    expect(parseXeroDelivery(Buffer.from(raw))).toBeNull();
  });

  // A delivery is acknowledged whatever one event holds (a refusal makes Xero retry, then disable
  // the webhook): the event comes back marked unusable with its reason, for the inbox to record.
  it.each([
    ['without a resourceId', { resourceId: undefined }, /resourceId/],
    ['with an impossible date', { eventDateUtc: 'yesterday' }, /"yesterday" is not a date between 2000 and 2100/],
    ['with a NUL in its resourceUrl', { resourceUrl: 'https://api.xero.com/\u0000' }, /NUL/],
  ])('marks an event %s unusable, naming why', (_what, change, reason) => {
    const [event] = parseXeroDelivery(Buffer.from(JSON.stringify({ events: [{ ...xeroEvent(1), ...change }] })))!;
    expect(event.unusable).toMatch(reason);
    expect(JSON.stringify(event.payload)).not.toContain('\\u0000');
  });
});

describe('xeroDedupeKey', () => {
  it('is the same for a redelivered event and differs when any part of its identity does', () => {
    const e = xeroEvent(1);
    expect(xeroDedupeKey({ ...e })).toBe(xeroDedupeKey(e));
    for (const field of ['tenantId', 'eventCategory', 'eventType', 'resourceId', 'eventDateUtc'] as const) {
      expect(xeroDedupeKey({ ...e, [field]: `${e[field]}x` })).not.toBe(xeroDedupeKey(e));
    }
  });
});
