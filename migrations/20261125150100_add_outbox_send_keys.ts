import { Knex } from 'knex';

// Several journals go to Xero in one call. A call whose answer was lost (timeout, 5xx, crash) may
// still have created its journals, so every row remembers the Idempotency-Key it was first sent
// under (send_key), and is re-sent only under that key with the same companions: Xero then
// replays its first answer instead of creating them again. A row without a send_key has never been
// sent under a key Xero might have accepted, and may join a new batch. send_date keeps the date
// each journal was first sent as (after any lock date), so a resend carries the same body.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.text('send_key');
    t.date('send_date');
  });
  // Rows already tried one by one were sent under their journal id; not those Xero refused
  // outright, which were not created and go again under a fresh key.
  await knex.raw("update outbox set send_key = journal_id::text where attempts > 0 and status <> 'done' and coalesce(last_error, '') not like 'Xero refused the journal%'");
  await knex.raw('create index outbox_send_key_idx on outbox (tenant_id, send_key) where send_key is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists outbox_send_key_idx');
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumns('send_key', 'send_date');
  });
}
