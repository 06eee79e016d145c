import { Knex } from 'knex';

// Every reference inside the ledger stays inside its organisation: each key leads with tenant_id.
const KEYS: [table: string, name: string, columns: string[], target: string][] = [
  ['cost_layers', 'cost_layers_location_fk', ['tenant_id', 'location_id'], 'locations'],
  ['cost_layers', 'cost_layers_source_movement_fk', ['tenant_id', 'source_movement_id'], 'stock_movements'],
  ['layer_consumptions', 'layer_consumptions_movement_fk', ['tenant_id', 'movement_id'], 'stock_movements'],
  ['layer_consumptions', 'layer_consumptions_layer_fk', ['tenant_id', 'layer_id'], 'cost_layers'],
  ['serials', 'serials_part_fk', ['tenant_id', 'part_id'], 'parts'],
  ['serials', 'serials_location_fk', ['tenant_id', 'location_id'], 'locations'],
  ['serials', 'serials_last_movement_fk', ['tenant_id', 'last_movement_id'], 'stock_movements'],
  ['stock_movements', 'stock_movements_reverses_fk', ['tenant_id', 'reverses_movement_id'], 'stock_movements'],
  ['stock_events', 'stock_events_reverses_fk', ['tenant_id', 'reverses_event_id'], 'stock_events'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [table, name, columns, target] of KEYS) {
    await knex.schema.alterTable(table, (t) => t.foreign(columns, name).references(['tenant_id', 'id']).inTable(target));
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, name] of [...KEYS].reverse()) {
    await knex.schema.alterTable(table, (t) => t.dropForeign([], name));
  }
}
