import { Knex } from 'knex';

/**
 * A layer a transfer created at its destination remembers the layer its units came from, so a
 * bill arriving later can find a receipt's units wherever they were moved, and revalue them there.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cost_layers', (t) => {
    t.uuid('parent_layer_id');
    t.foreign(['tenant_id', 'parent_layer_id'], 'cost_layers_parent_fk').references(['tenant_id', 'id']).inTable('cost_layers');
  });
  await knex.raw('create index cost_layers_parent_idx on cost_layers (tenant_id, parent_layer_id) where parent_layer_id is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cost_layers', (t) => {
    t.dropForeign([], 'cost_layers_parent_fk');
    t.dropColumn('parent_layer_id');
  });
}
