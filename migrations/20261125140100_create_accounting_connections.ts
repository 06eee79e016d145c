import { Knex } from 'knex';

// One connection per organisation and accounting system. Tokens are stored encrypted by the app
// (AES-256-GCM, key from the environment): the database never holds them in clear.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounting_connections', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('provider').notNullable();
    // Xero's tenantId (the organisation), sent as xero-tenant-id on every call.
    t.text('external_tenant_id').notNullable();
    t.text('organisation_name').notNullable().defaultTo('');
    t.text('status').notNullable().defaultTo('connected');
    t.text('access_token_enc');
    t.text('refresh_token_enc');
    t.timestamp('access_expires_at', { useTz: true });
    t.text('scopes').notNullable().defaultTo('');
    t.text('base_currency');
    t.date('period_lock_date');
    t.date('end_of_year_lock_date');
    t.timestamp('last_sync_at', { useTz: true });
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'provider']);
    t.check("provider in ('xero','quickbooks')", [], 'accounting_connections_provider_chk');
    t.check("status in ('connected','needs_reconnect','disconnected')", [], 'accounting_connections_status_chk');
  });
  // One live link per accounting organisation: two Perpetua organisations posting into the same
  // Xero organisation would double its stock journals. Webhooks find the tenant through it too.
  await knex.raw(`create unique index accounting_connections_external_idx on accounting_connections (provider, external_tenant_id)
    where status <> 'disconnected'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('accounting_connections');
}
