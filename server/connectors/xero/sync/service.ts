import { ConnectorError } from '../../../errors';
import { PushError } from '../../accounting-connector';
import { XeroDeps } from '../api';
import { createSuggestedAccounts, listExternalAccounts, ExternalAccount, SuggestedAccounts } from './accounts';

export { markSyncDue } from './connection';

/**
 * The use cases the pages and the API call. Xero being down, rate-limited or disconnected
 * reaches a person as a ConnectorError (502) with Xero's reason, not as an internal error.
 */
export async function createSuggestedAccountsFor(deps: XeroDeps, tenantId: string): Promise<SuggestedAccounts & { accounts: ExternalAccount[] }> {
  try {
    const result = await createSuggestedAccounts(deps, tenantId);
    return { ...result, accounts: await listExternalAccounts(deps.db, tenantId) };
  } catch (err) {
    if (err instanceof PushError) throw new ConnectorError(`Xero: ${err.message}`, err.retryable);
    throw err;
  }
}
