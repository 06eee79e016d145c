import { Knex } from 'knex';

// Failed sign-ins (and sign-ups) counted per account and per client address, shared by every web
// process. Keys are not tenant-scoped: 'account:<email>' and 'ip:<address>' exist before anyone is
// known to belong to an organisation. A row is forgotten after expires_at.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attempt_limits', (t) => {
    t.text('key').primary();
    t.integer('attempts').notNullable();
    t.timestamp('blocked_until', { useTz: true });
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
    t.check('attempts > 0', [], 'attempt_limits_attempts_chk');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('attempt_limits');
}
