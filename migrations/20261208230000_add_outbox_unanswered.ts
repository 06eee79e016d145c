import { Knex } from 'knex';

// An outage is a wait that uses no attempts. But a call Xero never answers while it answers the
// organisation's other calls (a body it always fails on, a call that always times out) is not an
// outage: each time it goes unanswered again after others were answered, it uses an attempt, so
// it ends on the exceptions list instead of costing the day's call allowance forever.
// unanswered counts a row's calls that got no answer since its last answer.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.integer('unanswered').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('unanswered');
  });
}
