import { Knex } from 'knex';

const QTY: [number, number] = [24, 6];
const COST: [number, number] = [28, 10];
const VALUE: [number, number] = [40, 16];

/**
 * Suppliers, purchase orders, deliveries (goods-in) and bills. These are documents, not the
 * ledger: stock and value only change through stock events; these tables say why they did.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('suppliers', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.specificType('currency', 'char(3)');
    // The accounting system's contact id, once a connector fills suppliers in.
    t.text('external_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
  });
  await knex.raw('create unique index suppliers_name_uq on suppliers (tenant_id, lower(name))');
  await knex.raw('create unique index suppliers_external_uq on suppliers (tenant_id, external_id) where external_id is not null');

  await knex.schema.createTable('purchase_orders', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('number').notNullable();
    t.uuid('supplier_id').notNullable();
    t.text('status').notNullable();
    t.date('order_date').notNullable();
    t.date('expected_date');
    t.specificType('currency', 'char(3)').notNullable();
    // As Xero has it: units of the PO's currency per one unit of the base currency.
    t.decimal('currency_rate', ...COST).notNullable().defaultTo(1);
    t.text('amounts').notNullable().defaultTo('exclusive');
    t.uuid('location_id').notNullable();
    t.text('reference').notNullable().defaultTo('');
    t.text('external_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'number']);
    t.foreign(['tenant_id', 'supplier_id']).references(['tenant_id', 'id']).inTable('suppliers');
    t.foreign(['tenant_id', 'location_id']).references(['tenant_id', 'id']).inTable('locations');
    t.check("status in ('draft','open','received','closed','cancelled')", [], 'purchase_orders_status_chk');
    t.check("amounts in ('exclusive','inclusive','no_tax')", [], 'purchase_orders_amounts_chk');
    t.check('currency_rate > 0', [], 'purchase_orders_rate_chk');
  });
  await knex.raw('create index purchase_orders_status_idx on purchase_orders (tenant_id, status, order_date)');
  await knex.raw('create unique index purchase_orders_external_uq on purchase_orders (tenant_id, external_id) where external_id is not null');

  await knex.schema.createTable('purchase_order_lines', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('po_id').notNullable();
    t.integer('line_no').notNullable();
    t.uuid('part_id').notNullable();
    t.text('description').notNullable().defaultTo('');
    // As ordered: quantity and price per purchase unit (a box of 100), in the PO's currency.
    t.decimal('quantity', ...QTY).notNullable();
    t.text('purchase_unit').notNullable();
    t.decimal('units_per_purchase_unit', ...QTY).notNullable().defaultTo(1);
    t.decimal('unit_price', ...COST).notNullable();
    t.decimal('tax_rate', 9, 4).notNullable().defaultTo(0);
    t.text('account_code').notNullable().defaultTo('');
    // In stock units and base currency, excluding tax: what goods-in receives at.
    t.decimal('ordered_qty', ...QTY).notNullable();
    t.decimal('unit_cost', ...COST).notNullable();
    // Running figures, changed under this row's lock by goods-in and bill matching.
    t.decimal('received_qty', ...QTY).notNullable().defaultTo(0);
    t.decimal('rejected_qty', ...QTY).notNullable().defaultTo(0);
    t.decimal('billed_qty', ...QTY).notNullable().defaultTo(0);
    // Buying less: free stock already covered this line when it was ordered.
    t.decimal('flag_free_stock', ...QTY);
    t.decimal('flag_value', 22, 3);
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'po_id', 'line_no']);
    t.foreign(['tenant_id', 'po_id']).references(['tenant_id', 'id']).inTable('purchase_orders');
    t.foreign(['tenant_id', 'part_id']).references(['tenant_id', 'id']).inTable('parts');
    t.check('quantity > 0 and ordered_qty > 0 and units_per_purchase_unit > 0', [], 'po_lines_qty_chk');
    t.check('received_qty >= 0 and rejected_qty >= 0 and billed_qty >= 0', [], 'po_lines_figures_chk');
  });
  await knex.raw('create index po_lines_part_idx on purchase_order_lines (tenant_id, part_id)');

  await knex.schema.createTable('deliveries', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.bigIncrements('number', { primaryKey: false });
    t.uuid('po_id').notNullable();
    t.text('status').notNullable().defaultTo('open');
    t.date('received_on').notNullable();
    t.text('delivery_note').notNullable().defaultTo('');
    // The posting policy when the delivery began: a journal per verified line, or one for the delivery.
    t.text('journal_per').notNullable();
    t.uuid('journal_id');
    t.uuid('user_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'po_id']).references(['tenant_id', 'id']).inTable('purchase_orders');
    t.check("status in ('open','completed')", [], 'deliveries_status_chk');
    t.check("journal_per in ('line','delivery')", [], 'deliveries_journal_per_chk');
  });
  // Two people unpacking the same PO work on the same delivery.
  await knex.raw("create unique index deliveries_open_uq on deliveries (tenant_id, po_id) where status = 'open'");

  await knex.schema.createTable('receipt_lines', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.bigIncrements('seq', { primaryKey: false });
    t.uuid('delivery_id').notNullable();
    t.uuid('po_line_id').notNullable();
    t.text('outcome').notNullable();
    t.decimal('quantity', ...QTY).notNullable();
    t.text('lot').notNullable().defaultTo('');
    t.jsonb('serials').notNullable().defaultTo('[]');
    t.text('reason').notNullable().defaultTo('');
    t.decimal('unit_cost', ...COST).notNullable();
    t.uuid('event_id');
    t.uuid('undo_event_id');
    t.timestamp('undone_at', { useTz: true });
    t.decimal('billed_qty', ...QTY).notNullable().defaultTo(0);
    t.uuid('approved_by');
    t.timestamp('returned_at', { useTz: true });
    t.uuid('user_id');
    t.uuid('api_key_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'delivery_id']).references(['tenant_id', 'id']).inTable('deliveries');
    t.foreign(['tenant_id', 'po_line_id']).references(['tenant_id', 'id']).inTable('purchase_order_lines');
    t.foreign(['tenant_id', 'event_id']).references(['tenant_id', 'id']).inTable('stock_events');
    t.check("outcome in ('accepted','rejected')", [], 'receipt_lines_outcome_chk');
    t.check('quantity > 0 and billed_qty >= 0 and billed_qty <= quantity', [], 'receipt_lines_qty_chk');
    t.check("outcome = 'rejected' or event_id is not null", [], 'receipt_lines_event_chk');
  });
  await knex.raw('create index receipt_lines_po_line_idx on receipt_lines (tenant_id, po_line_id, seq)');
  await knex.raw('create index receipt_lines_delivery_idx on receipt_lines (tenant_id, delivery_id, seq)');

  // Under a journal-per-delivery policy, each verified line's rounded postings wait here for the delivery's journal.
  await knex.schema.createTable('deferred_postings', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('delivery_id').notNullable();
    t.uuid('event_id').notNullable();
    t.text('account_role').notNullable();
    t.decimal('amount', 22, 3).notNullable();
    t.uuid('journal_id');
    t.primary(['tenant_id', 'event_id', 'account_role']);
    t.foreign(['tenant_id', 'delivery_id']).references(['tenant_id', 'id']).inTable('deliveries');
    t.foreign(['tenant_id', 'event_id']).references(['tenant_id', 'id']).inTable('stock_events');
  });
  await knex.raw('create index deferred_postings_pending_idx on deferred_postings (tenant_id, delivery_id) where journal_id is null');

  await knex.schema.createTable('bills', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('supplier_id').notNullable();
    t.text('number').notNullable();
    t.text('reference').notNullable().defaultTo('');
    t.date('bill_date').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.decimal('currency_rate', ...COST).notNullable().defaultTo(1);
    t.text('amounts').notNullable().defaultTo('exclusive');
    t.text('external_id');
    // The price-difference event (revaluation and variance), when the bill's prices differed.
    t.uuid('event_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'supplier_id', 'number']);
    t.foreign(['tenant_id', 'supplier_id']).references(['tenant_id', 'id']).inTable('suppliers');
    t.foreign(['tenant_id', 'event_id']).references(['tenant_id', 'id']).inTable('stock_events');
    t.check("amounts in ('exclusive','inclusive','no_tax')", [], 'bills_amounts_chk');
    t.check('currency_rate > 0', [], 'bills_rate_chk');
  });
  await knex.schema.createTable('bill_lines', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('bill_id').notNullable();
    t.integer('line_no').notNullable();
    t.uuid('part_id');
    t.text('description').notNullable().defaultTo('');
    t.decimal('quantity', ...QTY).notNullable();
    t.decimal('unit_price', ...COST).notNullable();
    t.decimal('tax_rate', 9, 4).notNullable().defaultTo(0);
    t.text('account_code').notNullable().defaultTo('');
    t.decimal('matched_qty', ...QTY).notNullable().defaultTo(0);
    t.text('flag');
    t.text('flag_message');
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'bill_id']).references(['tenant_id', 'id']).inTable('bills');
    t.foreign(['tenant_id', 'part_id']).references(['tenant_id', 'id']).inTable('parts');
  });
  // Which received quantity a bill line paid for, at which prices, and where the difference went.
  await knex.schema.createTable('bill_matches', (t) => {
    t.uuid('tenant_id').notNullable();
    t.uuid('bill_line_id').notNullable();
    t.uuid('receipt_line_id').notNullable();
    t.decimal('quantity', ...QTY).notNullable();
    t.decimal('receipt_unit_cost', ...COST).notNullable();
    t.decimal('bill_unit_cost', ...COST).notNullable();
    t.decimal('revalued', ...VALUE).notNullable().defaultTo(0);
    t.decimal('variance', ...VALUE).notNullable().defaultTo(0);
    t.primary(['tenant_id', 'bill_line_id', 'receipt_line_id']);
    t.foreign(['tenant_id', 'bill_line_id']).references(['tenant_id', 'id']).inTable('bill_lines');
    t.foreign(['tenant_id', 'receipt_line_id']).references(['tenant_id', 'id']).inTable('receipt_lines');
  });

  await knex.schema.alterTable('tenants', (t) => {
    t.decimal('over_receipt_tolerance_pct', 9, 4).notNullable().defaultTo(5);
    t.text('receipt_journal_per').notNullable().defaultTo('line');
    t.check("receipt_journal_per in ('line','delivery')", [], 'tenants_receipt_journal_per_chk');
    t.check('over_receipt_tolerance_pct >= 0 and over_receipt_tolerance_pct <= 1000', [], 'tenants_tolerance_chk');
  });

  // A bill at a different price revalues stock still on hand: value moves, quantity does not.
  await knex.raw('alter table stock_events drop constraint stock_events_kind_chk');
  await knex.raw("alter table stock_events add constraint stock_events_kind_chk check (kind in ('opening_balance','receipt','issue','transfer','adjustment','reversal','revaluation'))");
  await knex.raw('alter table stock_movements drop constraint stock_movements_nonzero_chk');
  await knex.raw('alter table stock_movements add constraint stock_movements_nonzero_chk check (quantity <> 0 or value <> 0)');
  // A delivery's journal answers for several events, so it names none.
  await knex.raw('alter table journals alter column event_id drop not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table journals alter column event_id set not null');
  await knex.raw('alter table stock_movements drop constraint stock_movements_nonzero_chk');
  await knex.raw('alter table stock_movements add constraint stock_movements_nonzero_chk check (quantity <> 0)');
  await knex.raw('alter table stock_events drop constraint stock_events_kind_chk');
  await knex.raw("alter table stock_events add constraint stock_events_kind_chk check (kind in ('opening_balance','receipt','issue','transfer','adjustment','reversal'))");
  await knex.schema.alterTable('tenants', (t) => {
    t.dropChecks(['tenants_receipt_journal_per_chk', 'tenants_tolerance_chk']);
    t.dropColumn('over_receipt_tolerance_pct');
    t.dropColumn('receipt_journal_per');
  });
  for (const table of ['bill_matches', 'bill_lines', 'bills', 'deferred_postings', 'receipt_lines', 'deliveries', 'purchase_order_lines', 'purchase_orders', 'suppliers']) {
    await knex.schema.dropTable(table);
  }
}
