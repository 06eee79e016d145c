import { Knex } from 'knex';

/**
 * Everything one stock event writes, as one data-modifying statement inside a PL/pgSQL function:
 * the function's plan is prepared once per connection instead of on every posting. Rows arrive as
 * JSON (decimals as strings); foreign keys are checked at the end of the statement and the
 * journal's balance at commit. Reads after the part locks go through load_stock_state.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create function post_stock_event_rows(
      p_tenant uuid, p_event json, p_movements json, p_new_layers json, p_changed_layers json, p_consumptions json,
      p_balances json, p_serials json, p_carries json, p_journals json, p_lines json) returns bigint
    language plpgsql as $fn$
    declare n bigint;
    begin
      with
       ev as (insert into stock_events (tenant_id, id, kind, occurred_on, user_id, api_key_id, reference, reason, contra_role, reverses_event_id)
              select p_tenant, id, kind, occurred_on, user_id, api_key_id, reference, reason, contra_role, reverses_event_id
                from json_populate_record(null::stock_events, p_event)),
       mv as (insert into stock_movements (tenant_id, id, event_id, part_id, location_id, lot, serial, quantity, unit_cost, value, occurred_on, reverses_movement_id)
              select p_tenant, id, event_id, part_id, location_id, lot, serial, quantity, unit_cost, value, occurred_on, reverses_movement_id
                from json_populate_recordset(null::stock_movements, p_movements)),
       nl as (insert into cost_layers (tenant_id, id, part_id, location_id, lot, source_movement_id, original_qty, unit_cost, remaining_qty, remaining_value)
              select p_tenant, id, part_id, location_id, lot, source_movement_id, original_qty, unit_cost, remaining_qty, remaining_value
                from json_populate_recordset(null::cost_layers, p_new_layers)),
       ul as (update cost_layers c set remaining_qty = v.remaining_qty, remaining_value = v.remaining_value
                from json_populate_recordset(null::cost_layers, p_changed_layers) v where c.tenant_id = p_tenant and c.id = v.id),
       lc as (insert into layer_consumptions (tenant_id, movement_id, layer_id, quantity, value)
              select p_tenant, movement_id, layer_id, quantity, value from json_populate_recordset(null::layer_consumptions, p_consumptions)),
       bd as (select * from json_to_recordset(p_balances) as x(part_id uuid, location_id uuid, lot text, delta numeric)),
       bu as (update stock_balances b set on_hand = b.on_hand + bd.delta from bd
               where b.tenant_id = p_tenant and b.part_id = bd.part_id and b.location_id = bd.location_id and b.lot = bd.lot
              returning b.part_id, b.location_id, b.lot),
       bi as (insert into stock_balances (tenant_id, part_id, location_id, lot, on_hand)
              select p_tenant, bd.part_id, bd.location_id, bd.lot, bd.delta from bd
               where not exists (select 1 from bu where bu.part_id = bd.part_id and bu.location_id = bd.location_id and bu.lot = bd.lot)),
       se as (insert into serials (tenant_id, part_id, serial, location_id, lot, status, last_movement_id)
              select p_tenant, part_id, serial, location_id, lot, status, last_movement_id from json_populate_recordset(null::serials, p_serials)
              on conflict (tenant_id, part_id, serial) do update
                set location_id = excluded.location_id, lot = excluded.lot, status = excluded.status, last_movement_id = excluded.last_movement_id),
       pv as (update part_valuations p set exact_value = v.exact_value, posted_value = v.posted_value
                from json_populate_recordset(null::part_valuations, p_carries) v where p.tenant_id = p_tenant and p.part_id = v.part_id),
       jr as (insert into journals (tenant_id, id, event_id, journal_date, narration, source_path)
              select p_tenant, id, event_id, journal_date, narration, source_path from json_populate_recordset(null::journals, p_journals)
              returning number),
       jl as (insert into journal_lines (tenant_id, journal_id, line_no, account_role, account_code, account_name, amount, description)
              select p_tenant, journal_id, line_no, account_role, account_code, account_name, amount, description
                from json_populate_recordset(null::journal_lines, p_lines)),
       ob as (insert into outbox (tenant_id, topic, journal_id)
              select p_tenant, 'journal.post', id from json_populate_recordset(null::journals, p_journals))
      select (select number from jr) into n;
      return n;
    end $fn$`);
  await knex.raw(`create function load_stock_state(p_tenant uuid, p_pairs json, p_keys json, p_serials json)
    returns table (layers json, balances json, serials json) language plpgsql stable as $fn$
    begin
      return query select
        (select coalesce(json_agg(json_build_object('id', c.id, 'seq', c.seq, 'part_id', c.part_id, 'location_id', c.location_id, 'lot', c.lot,
                'remaining_qty', c.remaining_qty::text, 'remaining_value', c.remaining_value::text) order by c.seq), '[]'::json)
           from cost_layers c join json_to_recordset(p_pairs) as k(p uuid, l uuid) on c.part_id = k.p and c.location_id = k.l
          where c.tenant_id = p_tenant and c.remaining_qty > 0),
        (select coalesce(json_agg(json_build_object('part_id', b.part_id, 'location_id', b.location_id, 'lot', b.lot,
                'on_hand', b.on_hand::text, 'allocated', b.allocated::text)), '[]'::json)
           from stock_balances b join json_to_recordset(p_keys) as k(p uuid, l uuid, lot text) on b.part_id = k.p and b.location_id = k.l and b.lot = k.lot
          where b.tenant_id = p_tenant),
        (select coalesce(json_agg(json_build_object('part_id', s.part_id, 'serial', s.serial, 'location_id', s.location_id, 'lot', s.lot, 'status', s.status)), '[]'::json)
           from serials s join json_to_recordset(p_serials) as k(p uuid, serial text) on s.part_id = k.p and s.serial = k.serial
          where s.tenant_id = p_tenant);
    end $fn$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function load_stock_state(uuid, json, json, json)');
  await knex.raw('drop function post_stock_event_rows(uuid, json, json, json, json, json, json, json, json, json, json)');
}
