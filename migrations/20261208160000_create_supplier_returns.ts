import { Knex } from 'knex';

const KINDS_BEFORE = "'opening_balance','receipt','issue','transfer','adjustment','reversal','revaluation','job_consumption','job_completion','dispatch'";
const KINDS = `${KINDS_BEFORE},'supplier_return'`;

/**
 * Supplier returns: received stock sent back to its supplier after goods-in, against the receipt
 * line it came in on. The receipt line keeps how much of it went back, and how much of that had
 * not been billed yet (those units leave GRNI, so no bill may match them).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('supplier_returns', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.bigIncrements('number', { primaryKey: false });
    t.uuid('receipt_line_id').notNullable();
    t.uuid('event_id').notNullable();
    t.decimal('quantity', 24, 6).notNullable();
    t.decimal('unbilled_qty', 24, 6).notNullable();
    t.decimal('billed_qty', 24, 6).notNullable();
    t.jsonb('serials').notNullable().defaultTo('[]');
    // The stock value sent back, and the part of it (rounded, as journalled) a credit note should cover.
    t.decimal('value', 40, 16).notNullable();
    t.decimal('credit_expected', 22, 3).notNullable();
    t.text('reason').notNullable();
    t.uuid('undo_event_id');
    t.timestamp('undone_at', { useTz: true });
    t.uuid('user_id');
    t.uuid('api_key_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.foreign(['tenant_id', 'receipt_line_id']).references(['tenant_id', 'id']).inTable('receipt_lines');
    t.foreign(['tenant_id', 'event_id']).references(['tenant_id', 'id']).inTable('stock_events');
    t.check('quantity > 0 and unbilled_qty >= 0 and billed_qty >= 0 and unbilled_qty + billed_qty = quantity', [], 'supplier_returns_qty_chk');
  });
  await knex.raw('create index supplier_returns_receipt_idx on supplier_returns (tenant_id, receipt_line_id)');
  await knex.schema.alterTable('receipt_lines', (t) => {
    t.decimal('returned_qty', 24, 6).notNullable().defaultTo(0);
    t.decimal('returned_unbilled_qty', 24, 6).notNullable().defaultTo(0);
    t.check('returned_unbilled_qty >= 0 and returned_unbilled_qty <= returned_qty and returned_qty <= quantity and billed_qty + returned_unbilled_qty <= quantity',
      [], 'receipt_lines_returned_chk');
  });
  await knex.raw('alter table stock_events drop constraint stock_events_kind_chk');
  await knex.raw(`alter table stock_events add constraint stock_events_kind_chk check (kind in (${KINDS}))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table stock_events drop constraint stock_events_kind_chk');
  await knex.raw(`alter table stock_events add constraint stock_events_kind_chk check (kind in (${KINDS_BEFORE}))`);
  await knex.schema.alterTable('receipt_lines', (t) => {
    t.dropChecks(['receipt_lines_returned_chk']);
    t.dropColumn('returned_qty');
    t.dropColumn('returned_unbilled_qty');
  });
  await knex.schema.dropTable('supplier_returns');
}
