import { Knex } from 'knex';
import * as m1 from './20261125080000_create_tenants_and_users';
import * as m2 from './20261125080100_create_sessions_and_api_keys';
import * as m3 from './20261125080200_create_parts_and_locations';
import * as m4 from './20261125080300_create_stock_ledger';
import * as m5 from './20261125080400_create_journals_and_outbox';
import * as m6 from './20261125090000_create_stock_event_functions';
import * as m7 from './20261125090100_add_ledger_foreign_keys';
import * as m8 from './20261125110000_create_purchasing';
import * as m9 from './20261125120000_add_cost_layer_parents';
import * as m10 from './20261125130000_create_manufacturing';
import * as webhookInbox from './20261125140000_create_webhook_inbox';
import * as accountingConnections from './20261125140100_create_accounting_connections';
import * as accountingSync from './20261125150000_add_accounting_sync';
import * as outboxSendKeys from './20261125150100_add_outbox_send_keys';
import * as attemptLimits from './20261208130000_create_attempt_limits';
import * as supplierReturns from './20261208160000_create_supplier_returns';
import * as supplierCreditsAccount from './20261208160100_add_supplier_credits_account';
import * as journalSendAttempts from './20261208190000_create_journal_send_attempts';
import * as postingGates from './20261208220000_create_posting_gates';
import * as imports from './20261208210000_create_imports';
import * as outboxUnanswered from './20261208230000_add_outbox_unanswered';

type Migration = { up: (k: Knex) => Promise<void>; down: (k: Knex) => Promise<void> };

// Listed here rather than found on disk so the same migrations load under tsx, jest and the CLI.
const migrations: [string, Migration][] = [
  ['20261125080000_create_tenants_and_users', m1],
  ['20261125080100_create_sessions_and_api_keys', m2],
  ['20261125080200_create_parts_and_locations', m3],
  ['20261125080300_create_stock_ledger', m4],
  ['20261125080400_create_journals_and_outbox', m5],
  ['20261125090000_create_stock_event_functions', m6],
  ['20261125090100_add_ledger_foreign_keys', m7],
  ['20261125110000_create_purchasing', m8],
  ['20261125120000_add_cost_layer_parents', m9],
  ['20261125130000_create_manufacturing', m10],
  ['20261125140000_create_webhook_inbox', webhookInbox],
  ['20261125140100_create_accounting_connections', accountingConnections],
  ['20261125150000_add_accounting_sync', accountingSync],
  ['20261125150100_add_outbox_send_keys', outboxSendKeys],
  ['20261208130000_create_attempt_limits', attemptLimits],
  ['20261208160000_create_supplier_returns', supplierReturns],
  ['20261208160100_add_supplier_credits_account', supplierCreditsAccount],
  ['20261208190000_create_journal_send_attempts', journalSendAttempts],
  ['20261208210000_create_imports', imports],
  ['20261208220000_create_posting_gates', postingGates],
  ['20261208230000_add_outbox_unanswered', outboxUnanswered],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => migrations,
  getMigrationName: ([name]) => name,
  getMigration: async ([, m]) => m,
};
