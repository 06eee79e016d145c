import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('locations', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('code').notNullable();
    t.text('name').notNullable();
    t.text('warehouse').notNullable();
    t.text('bin');
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'code']);
  });
  await knex.schema.createTable('parts', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.uuid('id').notNullable().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('sku').notNullable();
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('unit').notNullable().defaultTo('each');
    t.boolean('fractional').notNullable().defaultTo(false);
    t.text('barcode');
    t.text('source').notNullable().defaultTo('bought');
    t.text('tracking').notNullable().defaultTo('none');
    t.decimal('reorder_point', 24, 6);
    t.uuid('default_location_id');
    t.text('stock_role').notNullable().defaultTo('raw_materials');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'sku']);
    t.foreign(['tenant_id', 'default_location_id']).references(['tenant_id', 'id']).inTable('locations');
    t.check("source in ('bought','made','both')", [], 'parts_source_chk');
    t.check("tracking in ('none','lot','serial')", [], 'parts_tracking_chk');
    t.check("stock_role in ('raw_materials','finished_goods')", [], 'parts_stock_role_chk');
    t.check("tracking <> 'serial' or not fractional", [], 'parts_serial_whole_chk');
  });
  await knex.raw('create unique index parts_barcode_uq on parts (tenant_id, barcode) where barcode is not null');
  await knex.raw('create index parts_search_idx on parts (tenant_id, lower(sku), lower(name))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('parts');
  await knex.schema.dropTable('locations');
}
