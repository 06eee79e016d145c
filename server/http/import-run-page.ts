import { ImportRun } from '../services/parts-import-runs';

const count = (n: number) => n.toLocaleString('en-GB');

/**
 * The progress page (and fragment) of a parts import: a bar of rows checked, then of rows written,
 * with the stage in words; once over, the counts or the problems by row and column. While the run
 * goes on the fragment polls itself (htmx) and the page refreshes itself (without JavaScript).
 */
export function importRunPage(run: ImportRun) {
  const running = run.status === 'checking' || run.status === 'writing';
  return {
    title: 'Importing parts',
    id: run.id,
    running,
    refreshEvery: running ? 1 : undefined,
    ...(running ? { stage: stageOf(run), bar: barOf(run) } : {}),
    done: run.result && run.status === 'done'
      ? { parts: count(run.result.parts_created), stockLines: count(run.result.stock_lines), eventId: run.result.event_id }
      : null,
    refused: run.status === 'refused' || run.status === 'failed' ? run.problems : null,
  };
}

function stageOf(run: ImportRun): string {
  const total = count(run.totalRows);
  if (run.status === 'writing') {
    return `Writing the parts and their opening stock: ${count(run.rowsWritten)} of ${total} rows written`;
  }
  if (!run.totalRows) return 'Reading the file';
  if (run.rowsChecked < run.totalRows) return `Checking the rows: ${count(run.rowsChecked)} of ${total} checked`;
  return `All ${total} rows read; checking them against the parts and locations already stored`;
}

/** Writing is one short transaction: until it commits the bar only says it is busy (no value). */
function barOf(run: ImportRun): { value: number; max: number; busy: boolean; label: string } {
  const max = Math.max(1, run.totalRows);
  const of = `of ${count(run.totalRows)} rows`;
  if (run.status === 'writing') {
    return { value: run.rowsWritten, max, busy: !run.rowsWritten, label: `${count(run.rowsWritten)} ${of} written` };
  }
  // Until the file is read the number of rows is unknown: a busy bar, not a bar out of one.
  if (!run.totalRows) return { value: 0, max, busy: true, label: 'Reading the file' };
  return { value: run.rowsChecked, max, busy: false, label: `${count(run.rowsChecked)} ${of} checked` };
}
