import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.specificType('base_currency', 'char(3)').notNullable().defaultTo('GBP');
    t.text('reporting_framework').notNullable().defaultTo('IFRS');
    t.text('valuation_method').notNullable().defaultTo('fifo');
    t.date('lock_date');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("reporting_framework in ('IFRS','FRS102','US_GAAP')", [], 'tenants_framework_chk');
    t.check("valuation_method in ('fifo','weighted_average','lifo')", [], 'tenants_method_chk');
    // LIFO is not permitted under IAS 2 / FRS 102: the database refuses it too.
    t.check("valuation_method <> 'lifo' or reporting_framework = 'US_GAAP'", [], 'tenants_lifo_gaap_chk');
  });
  await knex.schema.createTable('users', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('email').notNullable();
    t.text('name').notNullable();
    t.text('role').notNullable();
    t.text('password_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('disabled_at', { useTz: true });
    t.primary(['tenant_id', 'id']);
    t.check("role in ('admin','operations','bookkeeper')", [], 'users_role_chk');
  });
  // Sign-in is by email across organisations, so an email belongs to one user.
  await knex.raw('create unique index users_email_uq on users (lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
  await knex.schema.dropTable('tenants');
}
