import { Knex } from 'knex';

const QTY: [number, number] = [24, 6];
const COST: [number, number] = [28, 10];
const MONEY: [number, number] = [22, 3];
const KINDS_BEFORE = "'opening_balance','receipt','issue','transfer','adjustment','reversal','revaluation'";
const KINDS = `${KINDS_BEFORE},'job_consumption','job_completion','dispatch'`;

export async function up(knex: Knex): Promise<void> {
  // One line of an assembly's bill of materials. A BOM is the set of lines under one parent.
  await knex.schema.createTable('bom_lines', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('parent_part_id').notNullable();
    t.uuid('component_part_id').notNullable();
    t.integer('position').notNullable();
    t.decimal('qty_per', ...QTY).notNullable();
    t.decimal('attrition_pct', 9, 4).notNullable().defaultTo(0);
    t.integer('step');
    t.boolean('optional').notNullable().defaultTo(false);
    t.text('note').notNullable().defaultTo('');
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'parent_part_id']).references(['tenant_id', 'id']).inTable('parts');
    t.foreign(['tenant_id', 'component_part_id']).references(['tenant_id', 'id']).inTable('parts');
    t.check('qty_per > 0', [], 'bom_lines_qty_chk');
    t.check('attrition_pct >= 0 and attrition_pct < 1000', [], 'bom_lines_attrition_chk');
    t.check('parent_part_id <> component_part_id', [], 'bom_lines_self_chk');
    t.check('step is null or step between 1 and 999', [], 'bom_lines_step_chk');
  });
  await knex.raw('create index bom_lines_parent_idx on bom_lines (tenant_id, parent_part_id, position)');
  await knex.raw('create index bom_lines_component_idx on bom_lines (tenant_id, component_part_id)');

  await knex.schema.createTable('job_cards', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('number').notNullable();
    t.uuid('part_id').notNullable();
    t.decimal('quantity', ...QTY).notNullable();
    // Components are allocated and consumed here, and the finished goods received here.
    t.uuid('location_id').notNullable();
    t.text('customer'); // null: built for stock
    t.date('due_on').notNullable();
    t.integer('priority').notNullable().defaultTo(3);
    t.text('status').notNullable().defaultTo('draft');
    // A child job makes a short sub-assembly for its parent's line; the top job is the one sold.
    t.uuid('parent_job_id');
    t.uuid('parent_line_id');
    t.uuid('top_job_id').notNullable();
    t.decimal('sale_price', ...COST); // per unit, base currency
    t.decimal('labour_rate', ...COST); // per hour, base currency
    // Money in the job, as posted (the journals' cents), so the WIP account reconciles to open jobs.
    t.decimal('material_cost', ...MONEY).notNullable().defaultTo(0);
    t.decimal('labour_cost', ...MONEY).notNullable().defaultTo(0);
    t.decimal('scrap_cost', ...MONEY).notNullable().defaultTo(0);
    t.decimal('finished_value', ...MONEY).notNullable().defaultTo(0);
    t.decimal('wip_value', ...MONEY).notNullable().defaultTo(0);
    t.decimal('completed_qty', ...QTY).notNullable().defaultTo(0);
    t.decimal('scrapped_qty', ...QTY).notNullable().defaultTo(0);
    t.text('notes').notNullable().defaultTo('');
    t.uuid('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('released_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'number']);
    t.foreign(['tenant_id', 'part_id']).references(['tenant_id', 'id']).inTable('parts');
    t.foreign(['tenant_id', 'location_id']).references(['tenant_id', 'id']).inTable('locations');
    t.check("status in ('draft','released','in_progress','completed','closed','cancelled')", [], 'job_cards_status_chk');
    t.check('quantity > 0', [], 'job_cards_qty_chk');
    t.check('completed_qty + scrapped_qty <= quantity', [], 'job_cards_completed_chk');
    t.check('priority between 1 and 5', [], 'job_cards_priority_chk');
  });
  await knex.raw('create index job_cards_status_idx on job_cards (tenant_id, status, due_on)');
  await knex.raw('create index job_cards_parent_idx on job_cards (tenant_id, parent_job_id) where parent_job_id is not null');

  await knex.schema.createTable('job_steps', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('job_id').notNullable();
    t.integer('step').notNullable();
    t.text('name').notNullable();
    t.decimal('completed_qty', ...QTY).notNullable().defaultTo(0);
    t.decimal('labour_minutes', ...QTY).notNullable().defaultTo(0);
    t.primary(['tenant_id', 'job_id', 'step']);
    t.foreign(['tenant_id', 'job_id']).references(['tenant_id', 'id']).inTable('job_cards').onDelete('CASCADE');
  });

  // The job's copy of its BOM's lines (a later BOM change does not change a released job).
  await knex.schema.createTable('job_lines', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('job_id').notNullable();
    t.integer('position').notNullable();
    t.uuid('part_id').notNullable();
    t.integer('step');
    t.decimal('qty_per', ...QTY).notNullable();
    t.decimal('attrition_pct', 9, 4).notNullable().defaultTo(0);
    t.decimal('required_qty', ...QTY).notNullable();
    t.decimal('allocated_qty', ...QTY).notNullable().defaultTo(0);
    t.decimal('consumed_qty', ...QTY).notNullable().defaultTo(0);
    t.decimal('scrapped_qty', ...QTY).notNullable().defaultTo(0);
    t.boolean('optional').notNullable().defaultTo(false);
    t.text('note').notNullable().defaultTo('');
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'job_id']).references(['tenant_id', 'id']).inTable('job_cards').onDelete('CASCADE');
    t.foreign(['tenant_id', 'part_id']).references(['tenant_id', 'id']).inTable('parts');
    t.check('allocated_qty >= 0 and consumed_qty >= 0 and scrapped_qty >= 0', [], 'job_lines_qty_chk');
  });
  await knex.raw('create index job_lines_job_idx on job_lines (tenant_id, job_id, position)');
  await knex.raw('create index job_lines_part_idx on job_lines (tenant_id, part_id)');

  // Hard allocation: which stock (part, location, lot, and for serial parts which serial) is
  // committed to which job line. stock_balances.allocated is the sum of these per stock key.
  await knex.schema.createTable('job_allocations', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('job_id').notNullable();
    t.uuid('job_line_id').notNullable();
    t.uuid('part_id').notNullable();
    t.uuid('location_id').notNullable();
    t.text('lot').notNullable().defaultTo('');
    t.text('serial');
    t.decimal('quantity', ...QTY).notNullable();
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'job_line_id']).references(['tenant_id', 'id']).inTable('job_lines').onDelete('CASCADE');
    t.check('quantity > 0', [], 'job_allocations_qty_chk');
  });
  await knex.raw('create index job_allocations_job_idx on job_allocations (tenant_id, job_id, job_line_id)');
  await knex.raw('create index job_allocations_key_idx on job_allocations (tenant_id, part_id, location_id, lot)');
  // A serial is committed to one job at most.
  await knex.raw('create unique index job_allocations_serial_uq on job_allocations (tenant_id, part_id, serial) where serial is not null');

  // The stock events of a job (consumption by a step, completion), with the step and quantity: the as-built history.
  await knex.schema.createTable('job_events', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('job_id').notNullable();
    t.uuid('event_id').notNullable();
    t.text('kind').notNullable();
    t.integer('step');
    t.decimal('quantity', ...QTY).notNullable().defaultTo(0);
    t.decimal('labour_minutes', ...QTY).notNullable().defaultTo(0);
    t.uuid('user_id');
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'event_id']);
    t.foreign(['tenant_id', 'job_id']).references(['tenant_id', 'id']).inTable('job_cards');
    t.check("kind in ('step','completion')", [], 'job_events_kind_chk');
  });
  await knex.raw('create index job_events_job_idx on job_events (tenant_id, job_id)');

  // What a job made: one row per finished serial, or one per lot.
  await knex.schema.createTable('job_outputs', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('job_id').notNullable();
    t.uuid('event_id').notNullable();
    t.uuid('part_id').notNullable();
    t.text('serial');
    t.text('lot').notNullable().defaultTo('');
    t.decimal('quantity', ...QTY).notNullable();
    t.foreign(['tenant_id', 'job_id']).references(['tenant_id', 'id']).inTable('job_cards');
  });
  await knex.raw('create index job_outputs_job_idx on job_outputs (tenant_id, job_id)');
  await knex.raw('create index job_outputs_serial_idx on job_outputs (tenant_id, part_id, serial, lot)');

  await knex.schema.createTable('dispatches', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('number').notNullable();
    t.text('customer').notNullable();
    t.text('reference').notNullable().defaultTo('');
    t.date('occurred_on').notNullable();
    t.uuid('event_id').notNullable();
    t.uuid('user_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'number']);
  });
  await knex.schema.createTable('dispatch_lines', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('dispatch_id').notNullable();
    t.integer('line_no').notNullable();
    t.uuid('part_id').notNullable();
    t.uuid('job_id'); // the job that made these units, when known: its margin becomes actual
    t.decimal('quantity', ...QTY).notNullable();
    t.decimal('unit_price', ...COST);
    t.decimal('cost', ...MONEY).notNullable(); // cost of goods sold, as posted
    t.primary(['tenant_id', 'dispatch_id', 'line_no']);
    t.foreign(['tenant_id', 'dispatch_id']).references(['tenant_id', 'id']).inTable('dispatches');
  });
  await knex.raw('create index dispatch_lines_job_idx on dispatch_lines (tenant_id, job_id) where job_id is not null');

  await knex.raw('alter table stock_events drop constraint stock_events_kind_chk');
  await knex.raw(`alter table stock_events add constraint stock_events_kind_chk check (kind in (${KINDS}))`);
  // Labour recorded on a job is credited to its own account (mapped like the others).
  await knex.raw(`insert into account_mappings (tenant_id, role, account_code, account_name)
    select id, 'labour_applied', '314', 'Labour Absorbed into Jobs' from tenants on conflict do nothing`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('account_mappings').where({ role: 'labour_applied' }).delete();
  await knex.raw('alter table stock_events drop constraint stock_events_kind_chk');
  await knex.raw(`alter table stock_events add constraint stock_events_kind_chk check (kind in (${KINDS_BEFORE}))`);
  for (const table of ['dispatch_lines', 'dispatches', 'job_outputs', 'job_events', 'job_allocations', 'job_lines', 'job_steps', 'job_cards', 'bom_lines']) {
    await knex.schema.dropTable(table);
  }
}
