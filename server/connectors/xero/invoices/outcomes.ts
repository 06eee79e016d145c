import { DomainError } from '../../../errors';
import { Outcome } from './documents';
import { XeroLine } from './xero-invoice';

/** What handling one Xero document came to; written to external_documents. */
export type Result = { outcome: Outcome; message: string; localId?: string | null };

/**
 * A refusal from a service in the words of the Xero document: its field "lines.2.quantity" is
 * the third line we passed on, which is "line 4 (BRG-1)" in Xero once text lines are skipped.
 */
export function explain(err: DomainError, lines: XeroLine[]): string {
  if (!err.fields.length) return err.message;
  return err.fields.map((f) => {
    const m = /^lines\.(\d+)\.?/.exec(f.field);
    const line = m ? lines[Number(m[1])] : undefined;
    if (!line) return f.message;
    return `line ${line.lineNo}${line.itemCode ? ` (${line.itemCode})` : ''}: ${f.message}`;
  }).join('; ');
}
