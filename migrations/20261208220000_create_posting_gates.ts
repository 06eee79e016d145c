import { Knex } from 'knex';

// One row per organisation that posts journals: when its next call to the accounting system may
// go, and, while the system does not answer, since when and why. Shared by every worker process,
// so a burst of journals goes in a few calls and an outage is probed by one call at a time.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('posting_gates', (t) => {
    t.uuid('tenant_id').primary().references('tenants.id').onDelete('CASCADE');
    t.timestamp('next_call_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('unavailable_since', { useTz: true });
    t.text('unavailable_reason');
    t.integer('probes').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('posting_gates');
}
