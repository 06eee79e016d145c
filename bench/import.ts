import crypto from 'node:crypto';
import { Db } from '../server/db';
import { createOrganisation } from '../server/services/auth/accounts';
import { importParts, PART_CSV_COLUMNS } from '../server/services/import-parts';
import { readPartsCsv } from '../server/http/parts-csv-input';
import { Actor } from '../server/services/stock/types';
import { fmt, QueryCounter } from './support';

const ROWS = 10_000;

/** A parts CSV of `rows` rows: `named` rows define new parts, the others only add stock. */
function partsCsv(tag: string, rows: number, named: boolean): string {
  const lines = [PART_CSV_COLUMNS.join(',')];
  for (let i = 1; i <= rows; i++) {
    const sku = `IMP-${tag}-${String(i).padStart(5, '0')}`;
    lines.push([sku, named ? `Imported part ${i}` : '', named ? 'A part from the import bench' : '', 'each', '', 'bought', 'none', '', '', 'MAIN', '5', '1.25', '', ''].join(','));
  }
  return lines.join('\n');
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const s = performance.now();
  try {
    return { value: await work(), ms: performance.now() - s };
  } catch (error) {
    return { error, ms: performance.now() - s };
  }
}

/**
 * The parts CSV import end to end below HTTP (read, check, write): 10,000 new parts with opening
 * stock, and a 10,000-row file of stock for parts that do not exist, which is refused.
 */
export async function importPhase(db: Db, log: (s: string) => void): Promise<string[]> {
  log(`\n[import] Parts CSV import: ${fmt(ROWS, 0)} rows`);
  const tag = crypto.randomBytes(3).toString('hex');
  const user = await createOrganisation(db, { organisation: `Bench import ${tag}`, name: 'Bench Admin', email: `bench-import-${tag}@example.com`, password: 'bench password bench password' });
  const actor: Actor = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  let readMs = 0;
  let checkedAt = 0;
  const queries = new QueryCounter(db);
  queries.start();
  const good = await timed(async () => {
    const s = performance.now();
    const rows = readPartsCsv(partsCsv(tag, ROWS, true));
    readMs = performance.now() - s;
    // The first 'writing' report comes once the rows are checked against the store, before the transaction.
    return importParts(db, actor, rows, '2026-01-01', undefined, (_phase, done) => { if (!done) checkedAt = performance.now() - s; });
  });
  queries.stop();
  if (good.error) throw good.error;
  log(`  ${fmt(ROWS, 0)} new parts with opening stock: ${fmt(good.ms, 0)} ms (reading and checking the rows ${fmt(readMs, 0)} ms, ` +
    `against the store ${fmt(checkedAt - readMs, 0)} ms, the write transaction ${fmt(good.ms - checkedAt, 0)} ms)   (aim: under 5,000 ms)`);
  log('  its SQL by shape (count x mean ms, as seen by Node):');
  for (const [shape, e] of queries.top(6)) log(`    ${String(e.n).padStart(3)} x ${fmt(e.ms / e.n, 1).padStart(7)} ms  ${shape}`);
  queries.detach();
  const refused = await timed(() => importParts(db, actor, readPartsCsv(partsCsv(`${tag}X`, ROWS, false)), '2026-01-01'));
  if (!refused.error) throw new Error('the file of unknown parts was imported');
  log(`  ${fmt(ROWS, 0)} rows for unknown parts refused: ${fmt(refused.ms, 0)} ms   (aim: under 2,000 ms)`);
  return [
    `import:    ${fmt(ROWS, 0)} new parts with opening stock in ${fmt(good.ms, 0)} ms   aim < 5,000 ms`,
    `import:    ${fmt(ROWS, 0)} rows for unknown parts refused in ${fmt(refused.ms, 0)} ms   aim < 2,000 ms`,
  ];
}
