import { AccountingConnector } from '../accounting-connector';

/** No accounting system connected: journals stay in Perpetua (and export as CSV). */
export const offlineConnector: AccountingConnector = {
  name: 'offline',
  async pushJournal(_tenantId, journal) {
    return { externalId: `local:${journal.id}` };
  },
};
