import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('account_mappings', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('role').notNullable();
    t.text('account_code').notNullable();
    t.text('account_name').notNullable();
    t.primary(['tenant_id', 'role']);
  });
  await knex.schema.createTable('journals', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.bigIncrements('number', { primaryKey: false });
    t.uuid('event_id').notNullable();
    t.date('journal_date').notNullable();
    t.text('narration').notNullable();
    t.text('source_path').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'event_id']);
  });
  await knex.raw('create index journals_number_idx on journals (tenant_id, number desc)');
  await knex.schema.createTable('journal_lines', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('journal_id').notNullable();
    t.integer('line_no').notNullable();
    t.text('account_role').notNullable();
    t.text('account_code').notNullable();
    t.text('account_name').notNullable();
    // Debit positive, credit negative, in the base currency's minor unit.
    t.decimal('amount', 22, 3).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.primary(['tenant_id', 'journal_id', 'line_no']);
    t.foreign(['tenant_id', 'journal_id']).references(['tenant_id', 'id']).inTable('journals');
  });
  await knex.raw('create index journal_lines_role_idx on journal_lines (tenant_id, account_role) include (amount)');
  // Every journal balances: checked at commit, whatever wrote the lines.
  await knex.raw(`create function check_journal_balanced() returns trigger language plpgsql as $$
    declare total numeric;
    begin
      select coalesce(sum(amount), 0) into total from journal_lines where tenant_id = new.tenant_id and journal_id = new.journal_id;
      if total <> 0 then
        raise exception 'journal % does not balance (debits - credits = %)', new.journal_id, trim_scale(total) using errcode = '23514';
      end if;
      return null;
    end $$`);
  await knex.raw(`create constraint trigger journal_lines_balanced after insert or update on journal_lines
    deferrable initially deferred for each row execute function check_journal_balanced()`);
  for (const table of ['journals', 'journal_lines']) {
    await knex.raw(`create trigger ${table}_append_only before update or delete on ${table} for each row execute function forbid_ledger_change()`);
  }

  // Outside calls happen only after commit: the worker drains this table.
  await knex.schema.createTable('outbox', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('topic').notNullable();
    t.uuid('journal_id');
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.text('external_id');
    t.text('connector');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'topic', 'journal_id']);
    t.check("status in ('pending','done','failed','dead')", [], 'outbox_status_chk');
  });
  await knex.raw("create index outbox_due_idx on outbox (next_attempt_at) where status in ('pending','failed')");

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('key').notNullable();
    t.text('request_hash').notNullable();
    t.integer('status_code').notNullable();
    t.jsonb('response').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
  await knex.schema.dropTable('outbox');
  await knex.schema.dropTable('journal_lines');
  await knex.schema.dropTable('journals');
  await knex.schema.dropTable('account_mappings');
  await knex.raw('drop function check_journal_balanced()');
}
