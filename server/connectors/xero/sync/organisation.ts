import { callXero, describe, XeroDeps } from '../api';
import { XeroConnection } from '../connections';
import { PushError } from '../../accounting-connector';
import { toOrganisation, XeroOrganisation } from '../oauth';

export type OrganisationFacts = XeroOrganisation;

/**
 * GET /Organisation: the name, base currency and lock dates, saved on the connection. The lock
 * dates are what the journal poster re-dates into, so they are read hourly and on every "Sync
 * now" (see XERO_PULL_STEPS): a bookkeeper who locks a period in Xero should not see a journal
 * refused for it, and one who cannot wait the hour asks for a sync.
 */
export async function refreshOrganisation(deps: XeroDeps, connection: XeroConnection): Promise<OrganisationFacts> {
  const answer = await callXero(deps, connection, (api, xeroTenantId) => api.getOrganisations(xeroTenantId));
  const org = answer.body?.organisations?.[0];
  if (answer.status !== 200 || !org) throw new PushError(`Xero did not give the organisation (${answer.status}: ${describe(answer.body)})`, true);
  const facts: OrganisationFacts = toOrganisation(org);
  await deps.db('accounting_connections').where({ tenant_id: connection.tenantId, id: connection.id }).update({
    ...(facts.name ? { organisation_name: facts.name } : {}),
    base_currency: facts.baseCurrency,
    period_lock_date: facts.periodLockDate,
    end_of_year_lock_date: facts.endOfYearLockDate,
    updated_at: deps.db.fn.now(),
  });
  return facts;
}
