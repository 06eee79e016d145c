import { Knex } from 'knex';

// Webhook deliveries are stored before they are acknowledged and processed afterwards by
// server/jobs/webhook-worker.ts. An event's identity (for Xero: tenant, category, type, resource
// and date) hashes to dedupe_key, so a redelivered or duplicated event is a no-op insert.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_events', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('provider').notNullable();
    t.text('dedupe_key').notNullable();
    t.text('external_tenant_id').notNullable();
    // Our organisation, resolved from the accounting connection when the event is processed.
    t.uuid('tenant_id').references('tenants.id').onDelete('CASCADE');
    t.text('category').notNullable();
    t.text('type').notNullable();
    t.text('resource_id').notNullable();
    t.timestamp('event_date', { useTz: true }).notNullable();
    t.jsonb('payload').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.timestamp('processed_at', { useTz: true });
    t.unique(['provider', 'dedupe_key']);
    t.check("provider in ('xero','quickbooks')", [], 'webhook_events_provider_chk');
    t.check("status in ('pending','processed','failed','dead')", [], 'webhook_events_status_chk');
  });
  // The worker's claim: due rows only, oldest due first.
  await knex.raw("create index webhook_events_due_idx on webhook_events (next_attempt_at) where status in ('pending','failed')");
  // The admin page and API: an organisation's recent events.
  await knex.raw('create index webhook_events_tenant_idx on webhook_events (tenant_id, received_at desc)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webhook_events');
}
