import { Knex } from 'knex';

// A journal's lines hold account roles; the codes are looked up in the account mapping when the
// journal is sent, so a journal the accounting system refused can go again on the accounts mapped
// after the cause was fixed, without touching the ledger. Each send attempt records the codes it
// carried and the answer it got. A resend under the same Idempotency-Key must carry the same body:
// it copies its lines from the attempt first sent under that key, never from today's mapping.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('journal_send_attempts', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('journal_id').notNullable();
    t.text('send_key').notNullable();
    t.text('connector').notNullable();
    // [{line_no, role, code, name, amount}]: what went out, amounts signed (debit positive).
    t.jsonb('lines').notNullable();
    t.timestamp('sent_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // null until answered: posted, refused (certainly not created), failed (may have been), waiting.
    t.text('outcome');
    t.text('message');
    t.text('external_id');
    t.timestamp('answered_at', { useTz: true });
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'journal_id']).references(['tenant_id', 'id']).inTable('journals');
    t.check("outcome in ('posted','refused','failed','waiting')", [], 'journal_send_attempts_outcome_chk');
  });
  await knex.raw('create index journal_send_attempts_journal_idx on journal_send_attempts (tenant_id, journal_id, sent_at desc)');
  // What was sent is history: an attempt is answered once, and never rewritten or deleted.
  await knex.raw(`create function guard_send_attempt() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' or old.outcome is not null or new.lines is distinct from old.lines
         or new.send_key is distinct from old.send_key or new.journal_id is distinct from old.journal_id then
        raise exception 'journal_send_attempts: what was sent is not changed' using errcode = '55000';
      end if;
      return new;
    end $$`);
  await knex.raw(`create trigger journal_send_attempts_history before update or delete on journal_send_attempts
    for each row execute function guard_send_attempt()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('journal_send_attempts');
  await knex.raw('drop function guard_send_attempt()');
}
