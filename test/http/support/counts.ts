import { Db } from '../../../server/db';

const TABLES = ['parts', 'locations', 'stock_events', 'stock_movements', 'cost_layers', 'journals', 'journal_lines', 'outbox', 'idempotency_keys'] as const;

/** Row counts of every table a request could write, to show that a refused request wrote nothing. */
export async function rowCounts(db: Db): Promise<Record<(typeof TABLES)[number], number>> {
  const counts = await Promise.all(TABLES.map(async (t) => [t, Number((await db(t).count({ n: '*' }).first())!.n)] as const));
  return Object.fromEntries(counts) as Record<(typeof TABLES)[number], number>;
}
