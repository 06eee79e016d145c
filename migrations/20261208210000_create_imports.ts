import { Knex } from 'knex';

// A parts CSV import run from the page: it runs in the background of the web process that took
// the file, and any web process answers the page's progress polls from this row. The row holds
// progress and outcome only (counts, the problems by row); the parts and stock are written by the
// import's own transaction. The form's one-time key makes a re-sent form show the same run.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('imports', (t) => {
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants');
    t.uuid('id').notNullable();
    t.uuid('user_id');
    t.text('idempotency_key');
    t.text('status').notNullable();
    t.integer('total_rows').notNullable().defaultTo(0);
    t.integer('rows_checked').notNullable().defaultTo(0);
    t.integer('rows_written').notNullable().defaultTo(0);
    t.jsonb('result');
    t.jsonb('problems');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'idempotency_key']);
    t.check("status in ('checking', 'writing', 'done', 'refused', 'failed')", [], 'imports_status_chk');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('imports');
}
