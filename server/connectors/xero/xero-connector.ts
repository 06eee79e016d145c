import { AccountingConnector, PushError } from '../accounting-connector';
import { XeroConnection } from './connections';
import { effectiveLockDate, toManualJournals } from './mapper';
import { callXero, describe, validationMessages, XeroAnswer, XeroDeps } from './api';

export type { XeroDeps } from './api';

/** Posts each journal as a POSTED manual journal, with the journal's id as the Idempotency-Key. */
export function xeroConnector(deps: XeroDeps, connection: XeroConnection): AccountingConnector {
  return {
    name: 'xero',
    async pushJournal(_tenantId, journal) {
      const body = toManualJournals(journal, effectiveLockDate(connection.periodLockDate, connection.endOfYearLockDate));
      const answer = await callXero(deps, connection, (api, xeroTenantId) => api.createManualJournals(xeroTenantId, body, true, journal.id));
      return outcome(answer);
    },
  };
}

function outcome(a: XeroAnswer): { externalId: string } {
  if (a.status >= 200 && a.status < 300) {
    const mj = a.body?.manualJournals?.[0];
    const problems = (mj?.validationErrors ?? []).map((e: { message?: string }) => e.message).filter(Boolean);
    if (problems.length) throw new PushError(`Xero refused the journal: ${problems.join('; ')}`, false);
    if (!mj?.manualJournalID) throw new PushError('Xero answered without a ManualJournalID', true);
    return { externalId: mj.manualJournalID };
  }
  if (a.status === 400) throw new PushError(`Xero refused the journal: ${validationMessages(a.body)}`, false);
  throw new PushError(`Xero answered ${a.status}: ${describe(a.body)}`, false);
}
