import { Request } from 'express';
import { hashRequest, IdempotencyClaim } from '../services/idempotency';

/**
 * Each stock form carries a one-time key (a hidden idempotency_key), so a double tap on a tablet,
 * or a resend after a dropped connection, records the event once and shows it both times.
 * Returns the claim and the form's own fields (without the key and the CSRF token).
 */
export function formClaim(req: Request): { claim?: IdempotencyClaim; fields: Record<string, string> } {
  const { idempotency_key } = (req.body ?? {}) as Record<string, string>;
  const fields = formFields(req);
  const key = typeof idempotency_key === 'string' && /^[\x21-\x7e]{1,128}$/.test(idempotency_key) ? `form:${idempotency_key}` : undefined;
  return { claim: key ? { key, requestHash: hashRequest([req.method, req.path, fields]) } : undefined, fields };
}

/** A form's own fields: without the CSRF token and the one-time key, which no command takes. */
export function formFields(req: Request): Record<string, string> {
  const { _csrf, idempotency_key, ...fields } = (req.body ?? {}) as Record<string, string>;
  void _csrf;
  void idempotency_key;
  return fields;
}
