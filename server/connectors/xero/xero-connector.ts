import { ManualJournal } from 'xero-node';
import { AccountingConnector, OutgoingJournal, PushError, PushResult } from '../accounting-connector';
import { XeroConnection } from './connections';
import { effectiveLockDate, toManualJournal } from './mapper';
import { callXero, describe, XeroAnswer, XeroDeps } from './api';

export type { XeroDeps } from './api';

/**
 * Posts journals as POSTED manual journals, several per call, under one Idempotency-Key per call
 * (the outbox keeps that key and the call's journals together until Xero has answered).
 * summarizeErrors=false: Xero answers each journal on its own, so one refused journal does not
 * hold back the others.
 */
export function xeroConnector(deps: XeroDeps, connection: XeroConnection): AccountingConnector {
  const lock = effectiveLockDate(connection.periodLockDate, connection.endOfYearLockDate);
  const pushJournals = async (_tenantId: string, journals: OutgoingJournal[], sendKey: string): Promise<Array<PushResult | PushError>> => {
    const mapped = journals.map((j) => { try { return toManualJournal(j, lock); } catch (err) { return err as PushError; } });
    const sendable = mapped.filter((m): m is ManualJournal => !(m instanceof PushError));
    if (!sendable.length) return mapped as PushError[];
    const answer = await callXero(deps, connection, (api, xeroTenantId) => api.createManualJournals(xeroTenantId, { manualJournals: sendable }, false, sendKey));
    const answered = outcomes(answer, sendable.length);
    return mapped.map((m) => (m instanceof PushError ? m : answered.shift()!));
  };
  return {
    name: 'xero',
    pushJournals,
    async pushJournal(tenantId, journal) {
      const [outcome] = await pushJournals(tenantId, [journal], journal.id);
      if (outcome instanceof PushError) throw outcome;
      return outcome;
    },
  };
}

/** Xero's answer journal by journal: its ManualJournalID, or its validation messages. */
function outcomes(a: XeroAnswer, count: number): Array<PushResult | PushError> {
  if (a.status === 200 || a.status === 201) {
    const mjs = (a.body?.manualJournals ?? []) as any[];
    if (mjs.length !== count) throw new PushError(`Xero answered ${mjs.length} journals for ${count} sent`, true);
    return mjs.map((mj) => {
      const problems = (mj?.validationErrors ?? []).map((e: { message?: string }) => e.message).filter(Boolean);
      if (problems.length) return new PushError(`Xero refused the journal: ${problems.join('; ')}`, false);
      if (!mj?.manualJournalID) return new PushError('Xero answered without a ManualJournalID', true);
      return { externalId: mj.manualJournalID as string };
    });
  }
  if (a.status === 400) {
    // A ValidationException for the call: each element carries its own journal's messages.
    const elements = (a.body?.Elements ?? []) as any[];
    return Array.from({ length: count }, (_, i) => {
      const messages = [...new Set(((elements[i] ?? elements[0])?.ValidationErrors ?? []).map((v: any) => String(v.Message)))];
      return new PushError(`Xero refused the journal: ${messages.length ? messages.join('; ') : describe(a.body)}`, false);
    });
  }
  throw new PushError(`Xero answered ${a.status}: ${describe(a.body)}`, false);
}
