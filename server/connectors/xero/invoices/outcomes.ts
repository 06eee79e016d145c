import { DomainError } from '../../../errors';
import { DocumentKind, Outcome } from './documents';
import { XeroInvoice, XeroLine } from './xero-invoice';

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

/** Something was done here for the document: a bill recorded or goods dispatched, and linked. */
export const isActed = (r: { outcome: Outcome; localId?: string | null }): boolean => (r.outcome === 'recorded' || r.outcome === 'dispatched') && !!r.localId;

/**
 * A document dated before the day the organisation connected Xero belongs to the books before
 * Perpetua: its goods were in (or out of) the opening stock. Xero sends an UPDATE for it whenever
 * anything happens to it (a payment applied), which must not record or dispatch it now. It is
 * kept as skipped, so people see why nothing happened.
 */
export function beforeConnection(kind: DocumentKind, inv: XeroInvoice, connectedOn: string | null): Result | null {
  if (!inv.date || !connectedOn || inv.date >= connectedOn) return null;
  const not = kind === 'bill' ? 'not recorded' : 'not dispatched';
  return { outcome: 'skipped', message: `Dated ${inv.date}, before Xero was connected to Perpetua on ${connectedOn}: ${not}` };
}
