import { Knex } from 'knex';

// Billed goods sent back to the supplier wait here for the supplier's credit note (a current
// asset, mapped like the others): every existing organisation gets the suggested account.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`insert into account_mappings (tenant_id, role, account_code, account_name)
    select id, 'supplier_credits', '635', 'Supplier Credits Expected' from tenants on conflict do nothing`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('account_mappings').where({ role: 'supplier_credits' }).delete();
}
