import { OpenApiKit } from './openapi-purchasing';
import { ACCOUNT_ROLES } from '../domain/accounting';

// The Xero sync part of the OpenAPI document (see openapi.ts, which lends its schema helpers
// and merges these in).

type Schema = { [key: string]: unknown };

/** Xero down, rate-limited or disconnected: the call could not be made (ConnectorError). */
const badGateway = (errorRef: Schema): Schema => ({ description: 'Xero could not be reached or refused the call; the message gives Xero\'s reason', content: { 'application/json': { schema: errorRef } } });

export function xeroSyncDoc(k: OpenApiKit): { schemas: Record<string, Schema>; paths: Record<string, Schema>; tags: { name: string; description: string }[] } {
  const { ref, text, list, record, operation } = k;
  const withBadGateway = (op: Schema): Schema => ({ ...op, responses: { ...(op.responses as Schema), 502: badGateway(ref('Error')) } });
  const role = text('The account mapping role', { enum: [...ACCOUNT_ROLES] });

  const schemas: Record<string, Schema> = {
    XeroAccount: record({
      id: text('Xero\'s AccountID'),
      code: text('Account code (empty for accounts Xero has without one)'),
      name: text(),
      type: text('Xero\'s account type: CURRENT, CURRLIAB, EXPENSE, DIRECTCOSTS...', { example: 'CURRENT' }),
      class: text('ASSET, LIABILITY, EQUITY, EXPENSE or REVENUE'),
      status: text('ACTIVE, ARCHIVED or DELETED (archived and deleted accounts stay listed: a mapping may still name one)', { example: 'ACTIVE' }),
    }),
    SuggestedAccounts: record({
      created: list(record({ role, code: text(), name: text(), type: text('The Xero type it was created as (stock accounts are CURRENT, never INVENTORY)') })),
      problems: list(record({ role, code: text(), message: text('Why the account was not created: archived in Xero, or Xero\'s refusal naming the code') })),
      notes: list(text('Xero\'s INVENTORY-type accounts (630 Inventory in a new organisation) are left alone, and the stock accounts used instead')),
      accounts: list(ref('XeroAccount')),
    }),
  };
  const paths: Record<string, Schema> = {
    '/xero/accounts': {
      get: operation({
        id: 'listXeroAccounts', tag: 'Xero sync', summary: 'The Xero chart of accounts, as last pulled', roles: ['admin', 'bookkeeper'], errors: [422],
        description: 'For the account mapping: active accounts first, by code. Pulled from Xero on every sync (If-Modified-Since).',
        ok: { status: 200, description: 'The accounts', schema: record({ accounts: list(ref('XeroAccount')) }) },
      }),
    },
    '/xero/accounts/suggested': {
      post: withBadGateway(operation({
        id: 'createSuggestedXeroAccounts', tag: 'Xero sync', summary: 'Create in Xero the mapped accounts its chart lacks', roles: ['admin'], errors: [409, 422],
        description: 'For each account-mapping role whose code Xero does not have, creates the account (stock and WIP as current assets, GRNI as a current liability, costs as direct costs or expenses), then pulls the chart again. 409 when Xero refused every one (a code clash names the code), or when Xero is not connected.',
        ok: { status: 200, description: 'What was created, and what was not and why', schema: ref('SuggestedAccounts') },
      })),
    },
    '/xero/sync': {
      post: operation({
        id: 'syncXeroNow', tag: 'Xero sync', summary: 'Pull from Xero now', roles: ['admin'], errors: [409, 422],
        description: 'Makes the organisation due for the sync worker, which pulls the organisation, accounts, suppliers, items and purchase orders within seconds. 409 while a sync is running or when Xero is not connected.',
        ok: { status: 200, description: 'When the sync is due', schema: record({ next_sync_at: text('When the worker will pick it up', { format: 'date-time' }) }) },
      }),
    },
  };
  return { schemas, paths, tags: [{ name: 'Xero sync', description: 'What Perpetua pulls from Xero, and the chart of accounts for the mapping' }] };
}
