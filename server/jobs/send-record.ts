import { Trx } from '../db';
import { ConnectionWaitError, PushError, PushResult, RateLimitWait } from '../connectors/accounting-connector';
import { recordSendAnswer, SendOutcome } from '../repos/journal-sends';

/**
 * What an attempt's answer says about the journal in the accounting system: posted; refused
 * (a validation refusal: certainly not created, so it may go again under a new key); waiting (a
 * rate limit or a reconnect: not sent); failed (anything else, an outage or no answer: it may
 * exist there).
 */
export function sendOutcomeOf(o: PushResult | Error): SendOutcome {
  if (!(o instanceof Error)) return 'posted';
  if (o instanceof RateLimitWait || o instanceof ConnectionWaitError) return 'waiting';
  return o instanceof PushError && !o.retryable ? 'refused' : 'failed';
}

export async function recordAttemptAnswer(trx: Trx, tenantId: string, journalId: string, sendKey: string, o: PushResult | Error): Promise<void> {
  await recordSendAnswer(trx, tenantId, journalId, sendKey, {
    outcome: sendOutcomeOf(o),
    message: o instanceof Error ? String(o.message) : null,
    externalId: o instanceof Error ? null : o.externalId,
  });
}
