import { Knex } from 'knex';

const QTY: [number, number] = [24, 6];
const COST: [number, number] = [28, 10];
// qty (6 dp) x unit cost (10 dp) is exact at 16 dp, so layer and movement values never truncate.
const VALUE: [number, number] = [40, 16];

export async function up(knex: Knex): Promise<void> {
  // One row per business event (a receipt, an adjustment, a transfer...): the source document.
  await knex.schema.createTable('stock_events', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.bigIncrements('seq', { primaryKey: false });
    t.text('kind').notNullable();
    t.date('occurred_on').notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('user_id');
    t.uuid('api_key_id');
    t.text('reference').notNullable().defaultTo('');
    t.text('reason').notNullable().defaultTo('');
    // The account on the other side of the stock lines (GRNI, COGS, adjustments...), kept for reversals.
    t.text('contra_role').notNullable();
    t.uuid('reverses_event_id');
    t.primary(['tenant_id', 'id']);
    t.check("kind in ('opening_balance','receipt','issue','transfer','adjustment','reversal')", [], 'stock_events_kind_chk');
  });
  // An event is reversed at most once.
  await knex.raw('create unique index stock_events_reverses_uq on stock_events (tenant_id, reverses_event_id) where reverses_event_id is not null');
  await knex.raw('create index stock_events_seq_idx on stock_events (tenant_id, seq desc)');

  await knex.schema.createTable('stock_movements', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.bigIncrements('seq', { primaryKey: false });
    t.uuid('event_id').notNullable();
    t.uuid('part_id').notNullable();
    t.uuid('location_id').notNullable();
    t.text('lot').notNullable().defaultTo('');
    t.text('serial');
    t.decimal('quantity', ...QTY).notNullable();
    t.decimal('unit_cost', ...COST).notNullable();
    t.decimal('value', ...VALUE).notNullable();
    t.date('occurred_on').notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('reverses_movement_id');
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'event_id']).references(['tenant_id', 'id']).inTable('stock_events');
    t.foreign(['tenant_id', 'part_id']).references(['tenant_id', 'id']).inTable('parts');
    t.foreign(['tenant_id', 'location_id']).references(['tenant_id', 'id']).inTable('locations');
    t.check('quantity <> 0', [], 'stock_movements_nonzero_chk');
  });
  await knex.raw('create index stock_movements_part_idx on stock_movements (tenant_id, part_id, seq desc)');
  await knex.raw('create index stock_movements_event_idx on stock_movements (tenant_id, event_id)');
  // Covers the as-at valuation's columns: small tenants read it index-only; a million movements scan in parallel.
  await knex.raw('create index stock_movements_asat_idx on stock_movements (tenant_id, occurred_on) include (part_id, location_id, quantity, value)');

  await knex.schema.createTable('cost_layers', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.bigIncrements('seq', { primaryKey: false });
    t.uuid('part_id').notNullable();
    t.uuid('location_id').notNullable();
    // Lots are costed on their own: issuing batch B never takes batch A's cost.
    t.text('lot').notNullable().defaultTo('');
    t.uuid('source_movement_id').notNullable();
    t.decimal('original_qty', ...QTY).notNullable();
    t.decimal('unit_cost', ...COST).notNullable();
    t.decimal('remaining_qty', ...QTY).notNullable();
    t.decimal('remaining_value', ...VALUE).notNullable();
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'part_id']).references(['tenant_id', 'id']).inTable('parts');
    t.check('remaining_qty >= 0', [], 'cost_layers_remaining_chk');
    t.check('remaining_value >= 0', [], 'cost_layers_value_chk');
  });
  await knex.raw('create index cost_layers_open_idx on cost_layers (tenant_id, part_id, location_id, lot, seq) where remaining_qty > 0');

  // Which layers an outbound movement drew from: reversals put quantity back where it came from.
  await knex.schema.createTable('layer_consumptions', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('movement_id').notNullable();
    t.uuid('layer_id').notNullable();
    t.decimal('quantity', ...QTY).notNullable();
    t.decimal('value', ...VALUE).notNullable();
    t.primary(['tenant_id', 'movement_id', 'layer_id']);
  });

  // Current figures per stock key: a cache of the movements, locked row by row.
  await knex.schema.createTable('stock_balances', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('part_id').notNullable();
    t.uuid('location_id').notNullable();
    t.text('lot').notNullable().defaultTo('');
    t.decimal('on_hand', ...QTY).notNullable().defaultTo(0);
    t.decimal('allocated', ...QTY).notNullable().defaultTo(0);
    t.primary(['tenant_id', 'part_id', 'location_id', 'lot']);
    t.foreign(['tenant_id', 'part_id']).references(['tenant_id', 'id']).inTable('parts');
    t.foreign(['tenant_id', 'location_id']).references(['tenant_id', 'id']).inTable('locations');
    t.check('on_hand >= 0', [], 'stock_balances_on_hand_chk');
    t.check('allocated >= 0 and allocated <= on_hand', [], 'stock_balances_allocated_chk');
  });

  // One row per part: the lock that serialises its valuation, and the rounding carry that keeps
  // journal lines (cents) equal to the rounded exact layer value, so the two never drift apart.
  await knex.schema.createTable('part_valuations', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('part_id').notNullable();
    t.decimal('exact_value', ...VALUE).notNullable().defaultTo(0);
    t.decimal('posted_value', 22, 3).notNullable().defaultTo(0);
    t.primary(['tenant_id', 'part_id']);
    t.foreign(['tenant_id', 'part_id']).references(['tenant_id', 'id']).inTable('parts');
  });

  await knex.schema.createTable('serials', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('part_id').notNullable();
    t.text('serial').notNullable();
    t.uuid('location_id');
    t.text('lot').notNullable().defaultTo('');
    t.text('status').notNullable();
    t.uuid('last_movement_id').notNullable();
    t.primary(['tenant_id', 'part_id', 'serial']);
    t.check("status in ('in_stock','out')", [], 'serials_status_chk');
  });

  // Append-only: a correction is a new movement, never an UPDATE or DELETE.
  await knex.raw(`create function forbid_ledger_change() returns trigger language plpgsql as $$
    begin raise exception '% is append-only', tg_table_name using errcode = '55000'; end $$`);
  for (const table of ['stock_events', 'stock_movements']) {
    await knex.raw(`create trigger ${table}_append_only before update or delete on ${table} for each row execute function forbid_ledger_change()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['serials', 'part_valuations', 'stock_balances', 'layer_consumptions', 'cost_layers', 'stock_movements', 'stock_events']) {
    await knex.schema.dropTable(table);
  }
  await knex.raw('drop function forbid_ledger_change()');
}
