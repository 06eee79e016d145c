import { AccountingConnector } from './accounting-connector';
import { offlineConnector } from './offline/offline-connector';

export type ConnectorRegistry = { forTenant(tenantId: string): Promise<AccountingConnector> };

/** Until a tenant connects Xero or QuickBooks, its journals are kept locally. */
export const defaultRegistry: ConnectorRegistry = { forTenant: async () => offlineConnector };
