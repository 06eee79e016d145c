import crypto from 'node:crypto';
import { Db } from '../db';
import { NotFound } from '../errors';
import { importParts, PartsCsv } from './import-parts';
import { Actor } from './stock/types';

export type ImportStatus = 'checking' | 'writing' | 'done' | 'refused' | 'failed';
export type ImportOutcome = { parts_created: number; stock_lines: number; event_id: string | null };
/** Why a run stopped, as people read it: the refusal and, for a refused file, its problems by row. */
export type ImportProblems = { message: string; list: string[] };
export type ImportRun = {
  id: string;
  status: ImportStatus;
  totalRows: number;
  rowsChecked: number;
  rowsWritten: number;
  result: ImportOutcome | null;
  problems: ImportProblems | null;
};

/** Reads and checks the file's rows, telling how far it has got (http/parts-csv-input.ts). */
export type ReadRows = (progress: (checked: number, total: number) => Promise<void>) => Promise<PartsCsv>;
/** What a failure says (the HTTP layer's one error mapping), and whether it is ours (a 5xx). */
export type DescribeFailure = (err: unknown) => { status: number; message: string; fields: { message: string }[] };
export type StartImport = { key: string | null; occurredOn: string; read: ReadRows; describe: DescribeFailure };

/**
 * A run that has not moved for this long died with its web process (a restart): its write was
 * one transaction, so nothing of it was stored.
 */
const STALLED_AFTER_MINUTES = 10;
const STALLED = 'The import stopped before it finished (the server restarted); nothing was imported. '
  + 'Import the file again';

/**
 * Start a parts import in the background of this process and answer its id at once; the run
 * records its progress and outcome in `imports`, where any web process reads them. The same
 * one-time key (a form sent twice) answers the run it already started.
 * `crashed` hears of failures that are ours, for the log.
 */
export async function startPartsImport(
  db: Db, actor: Actor, input: StartImport, crashed: (err: unknown) => void,
): Promise<string> {
  const id = crypto.randomUUID();
  const row = { tenant_id: actor.tenantId, id, user_id: actor.userId ?? null, idempotency_key: input.key };
  const inserted = await db('imports').insert({ ...row, status: 'checking' })
    .onConflict(['tenant_id', 'idempotency_key']).ignore().returning('id');
  if (!inserted.length) {
    return (await db('imports').where({ tenant_id: actor.tenantId, idempotency_key: input.key }).first('id')).id;
  }
  void runImport(db, actor, id, input).catch(crashed);
  return id;
}

/**
 * Read and check the rows (no transaction open), then write them in importParts' one short
 * transaction; progress goes to the run's row between steps, outside that transaction.
 */
async function runImport(db: Db, actor: Actor, id: string, input: StartImport): Promise<void> {
  const record = async (fields: Record<string, unknown>): Promise<void> => {
    await db('imports').where({ tenant_id: actor.tenantId, id }).update({ ...fields, updated_at: db.fn.now() });
  };
  try {
    const csv = await input.read((checked, total) => record({ rows_checked: checked, total_rows: total }));
    const result = await importParts(db, actor, csv, input.occurredOn, undefined, async (_phase, done) => {
      await record({ status: 'writing', rows_written: done });
    });
    const outcome: ImportOutcome = {
      parts_created: result.parts_created, stock_lines: result.stock_lines, event_id: result.event?.id ?? null,
    };
    await record({ status: 'done', result: JSON.stringify(outcome) });
  } catch (err) {
    const p = input.describe(err);
    const list = p.fields.map((f) => f.message).filter((m) => m !== p.message);
    const status = p.status >= 500 ? 'failed' : 'refused';
    await record({ status, problems: JSON.stringify({ message: p.message, list }) });
    if (p.status >= 500) throw err;
  }
}

/** One run of the organisation's, as its progress page shows it. */
export async function importRun(db: Db, tenantId: string, id: string): Promise<ImportRun> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  const row = uuid
    ? await db('imports').where({ tenant_id: tenantId, id })
      .first('*', db.raw(`updated_at < now() - interval '${STALLED_AFTER_MINUTES} minutes' as stalled`))
    : undefined;
  if (!row) throw new NotFound('Import', id);
  const json = <T>(v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as T;
  const running = row.status === 'checking' || row.status === 'writing';
  const stalled = running && row.stalled;
  return {
    id: row.id,
    status: stalled ? 'failed' : row.status,
    totalRows: row.total_rows,
    rowsChecked: row.rows_checked,
    rowsWritten: row.rows_written,
    result: json<ImportOutcome | null>(row.result),
    problems: stalled ? { message: STALLED, list: [] } : json<ImportProblems | null>(row.problems),
  };
}
