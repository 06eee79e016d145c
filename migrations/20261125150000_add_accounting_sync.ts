import { Knex } from 'knex';

// What the Xero (later QuickBooks) connection pulls: cursors for the polled lists (Xero sends no
// purchase-order or item events), the first sync's progress, the chart of accounts for the
// account-mapping drop-downs, and a record of each bill and sales invoice seen, so that a
// webhook delivered twice, or an invoice edited in Xero, is acted on once.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounting_connections', (t) => {
    // Xero's connection id (not its tenantId): DELETE /connections/{id} disconnects.
    t.text('external_connection_id');
    // Per list, the UpdatedDateUTC to send as If-Modified-Since next time.
    t.jsonb('sync_cursors').notNullable().defaultTo('{}');
    t.text('sync_status').notNullable().defaultTo('idle');
    // {phase, done, total}: shown on the connection page while the first sync runs.
    t.jsonb('sync_progress');
    t.timestamp('next_sync_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_sync_error');
    // e.g. items tracked as inventory in Xero (valued twice if left so).
    t.jsonb('warnings').notNullable().defaultTo('[]');
    // off: sales invoices are listed; auto: an approved invoice for finished goods dispatches them.
    t.text('sales_invoice_dispatch').notNullable().defaultTo('off');
    t.check("sync_status in ('idle','running','failed')", [], 'accounting_connections_sync_status_chk');
    t.check("sales_invoice_dispatch in ('off','auto')", [], 'accounting_connections_dispatch_chk');
  });
  await knex.raw('create index accounting_connections_sync_due_idx on accounting_connections (next_sync_at) where status = \'connected\'');
  // Sign in with Xero: the Xero user a person first signed in as; afterwards only that one may.
  await knex.schema.alterTable('users', (t) => {
    t.text('xero_user_id');
  });

  await knex.schema.createTable('external_accounts', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('provider').notNullable();
    t.text('external_id').notNullable();
    t.text('code').notNullable().defaultTo('');
    t.text('name').notNullable();
    t.text('type').notNullable().defaultTo('');
    t.text('class').notNullable().defaultTo('');
    t.text('status').notNullable().defaultTo('ACTIVE');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'provider', 'external_id']);
  });

  await knex.schema.createTable('external_documents', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('provider').notNullable();
    t.text('kind').notNullable();
    t.text('external_id').notNullable();
    t.text('number').notNullable().defaultTo('');
    t.text('contact_name').notNullable().defaultTo('');
    t.text('external_status').notNullable().defaultTo('');
    t.timestamp('external_updated_at', { useTz: true });
    // recorded (as a bill), dispatched, listed (waiting for a person), skipped, failed
    t.text('outcome').notNullable();
    t.uuid('local_id');
    t.text('message').notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'provider', 'external_id']);
    t.check("kind in ('bill','sales_invoice')", [], 'external_documents_kind_chk');
    t.check("outcome in ('recorded','dispatched','listed','skipped','failed')", [], 'external_documents_outcome_chk');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('external_documents');
  await knex.schema.dropTable('external_accounts');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('xero_user_id');
  });
  await knex.raw('drop index if exists accounting_connections_sync_due_idx');
  await knex.schema.alterTable('accounting_connections', (t) => {
    t.dropChecks(['accounting_connections_sync_status_chk', 'accounting_connections_dispatch_chk']);
    t.dropColumns('external_connection_id', 'sync_cursors', 'sync_status', 'sync_progress', 'next_sync_at', 'last_sync_error', 'warnings', 'sales_invoice_dispatch');
  });
}
