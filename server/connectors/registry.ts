import type { Config } from '../config';
import { Db } from '../db';
import { AccountingConnector, ConnectionWaitError } from './accounting-connector';
import { offlineConnector } from './offline/offline-connector';
import { xeroConnection } from './xero/connections';
import { NEEDS_RECONNECT } from './xero/tokens';
import { xeroConnector } from './xero/xero-connector';
import { xeroDeps } from './xero/wiring';

export type ConnectorRegistry = { forTenant(tenantId: string): Promise<AccountingConnector> };

/** Until a tenant connects Xero or QuickBooks, its journals are kept locally. */
export const defaultRegistry: ConnectorRegistry = { forTenant: async () => offlineConnector };

/** A connection that a person must reconnect: postings wait for it (none is lost or dead-lettered). */
const waitingForReconnect: AccountingConnector = {
  name: 'xero',
  async pushJournal() {
    throw new ConnectionWaitError(NEEDS_RECONNECT);
  },
};

/** The connector for each tenant's accounting connection, read afresh for every posting. */
export function createRegistry(db: Db, config: Pick<Config, 'xero' | 'encryptionKey'>): ConnectorRegistry {
  return {
    async forTenant(tenantId) {
      const c = await xeroConnection(db, tenantId);
      if (!c) return offlineConnector;
      // Disconnected on purpose or by Xero: journals wait for a reconnect (none is lost or sent elsewhere).
      if (c.status !== 'connected') return waitingForReconnect;
      return xeroConnector(xeroDeps(db, config), c);
    },
  };
}
