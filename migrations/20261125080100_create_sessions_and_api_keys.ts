import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Web processes stay stateless: sessions live in the database.
  await knex.schema.createTable('sessions', (t) => {
    t.text('sid').primary();
    t.jsonb('sess').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
  });
  await knex.schema.createTable('api_keys', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('prefix').notNullable().unique();
    t.text('key_hash').notNullable();
    t.text('role').notNullable().defaultTo('admin');
    t.uuid('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
    t.primary(['tenant_id', 'id']);
    t.check("role in ('admin','operations','bookkeeper')", [], 'api_keys_role_chk');
  });
  await knex.schema.createTable('app_settings', (t) => {
    t.text('key').primary();
    t.text('value').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('app_settings');
  await knex.schema.dropTable('api_keys');
  await knex.schema.dropTable('sessions');
}
