import { ManualJournal } from 'xero-node';
import { AccountingConnector, LockDateRefusal, OutgoingJournal, PushError, PushResult } from '../accounting-connector';
import { XeroConnection } from './connections';
import { effectiveLockDate, toManualJournal } from './mapper';
import { firstOpenDay } from '../../domain/dates';
import { callXero, describe, XeroAnswer, XeroDeps } from './api';
import { refreshOrganisation } from './sync/organisation';

export type { XeroDeps } from './api';

/**
 * Posts journals as POSTED manual journals, several per call, under one Idempotency-Key per call
 * (the outbox keeps that key and the call's journals together until Xero has answered).
 * summarizeErrors=false: Xero answers each journal on its own, so one refused journal does not
 * hold back the others.
 */
export function xeroConnector(deps: XeroDeps, connection: XeroConnection): AccountingConnector {
  const lock = effectiveLockDate(connection.periodLockDate, connection.endOfYearLockDate);
  const pushJournals = async (_tenantId: string, journals: OutgoingJournal[], sendKey: string, opts: { resend?: boolean } = {}): Promise<Array<PushResult | PushError>> => {
    const mapped = journals.map((j) => { try { return toManualJournal(j, lock); } catch (err) { return err as PushError; } });
    const sendable = mapped.filter((m): m is ManualJournal => !(m instanceof PushError));
    if (!sendable.length) return mapped as PushError[];
    const answer = await callXero(deps, connection, (api, xeroTenantId) => api.createManualJournals(xeroTenantId, { manualJournals: sendable }, false, sendKey));
    const answered = outcomes(answer, sendable, opts.resend ?? false);
    if (answered.some((o) => o instanceof LockDateRefusal)) await readLockDatesAgain(deps, connection);
    return mapped.map((m) => (m instanceof PushError ? m : answered.shift()!));
  };
  return {
    name: 'xero',
    pushJournals,
    sendDate: (journal) => firstOpenDay(journal.date, lock),
    async pushJournal(tenantId, journal) {
      const [outcome] = await pushJournals(tenantId, [journal], journal.id);
      if (outcome instanceof PushError) throw outcome;
      return outcome;
    },
  };
}

/**
 * Xero's answer journal by journal: its ManualJournalID, or its validation messages. A replayed
 * answer may list more journals than this call sent (companions already done before a crash):
 * journals are matched by their Url, which names each one's page.
 */
function outcomes(a: XeroAnswer, sent: ManualJournal[], resend: boolean): Array<PushResult | PushError> {
  if (a.status === 200 || a.status === 201) {
    const mjs = (a.body?.manualJournals ?? []) as any[];
    const byUrl = new Map(mjs.map((mj) => [mj?.url as string, mj]));
    return sent.map((s, i) => {
      const mj = mjs.length === sent.length ? mjs[i] : byUrl.get(s.url!);
      if (!mj) return new PushError(`Xero's answer does not include the journal for ${s.url}`, true);
      const problems = (mj.validationErrors ?? []).map((e: { message?: string }) => e.message).filter(Boolean);
      if (problems.length) return refusal(problems);
      if (!mj.manualJournalID) return new PushError('Xero answered without a ManualJournalID', true);
      return { externalId: mj.manualJournalID as string };
    });
  }
  if (a.status === 400) {
    // A ValidationException for the whole call: an element per journal when Xero gives them.
    const elements = (a.body?.Elements ?? []) as any[];
    return sent.map((_, i) => {
      const own = elements.length === sent.length ? elements[i] : undefined;
      const messages = [...new Set((own?.ValidationErrors ?? []).map((v: any) => String(v.Message)))] as string[];
      return refusal(messages.length ? messages : [describe(a.body)]);
    });
  }
  // Anything else on a resend may be Xero still holding the first call under this key (a 409,
  // say): the journals may exist, so they wait and go again under the same key.
  throw new PushError(`Xero answered ${a.status}: ${describe(a.body)}`, resend);
}

/** Xero's refusal of a journal dated inside its period or end-of-year lock date. */
const LOCKED = /cannot be before the (period|end of year) lock date/i;

function refusal(messages: string[]): PushError {
  const message = `Xero refused the journal: ${messages.join('; ')}`;
  // Only the lock date wrong, nothing else: re-dating it is all it needs.
  return messages.every((m) => LOCKED.test(m)) ? new LockDateRefusal(message) : new PushError(message, false);
}

/**
 * A lock date was set in Xero after the last pull: read the organisation's lock dates now, so the
 * refused journals go again at once on the first open day. If Xero does not give them, the
 * journals wait for the hourly pull (their attempts count, so this cannot go on forever).
 */
async function readLockDatesAgain(deps: XeroDeps, connection: XeroConnection): Promise<void> {
  try {
    await refreshOrganisation(deps, connection);
  } catch {
    // The refusals stand; the next attempt tries again.
  }
}
