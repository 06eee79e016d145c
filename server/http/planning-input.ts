import { z } from 'zod';
import { optionalText, text } from './schemas';
import { RecallInput } from '../services/trace/recall';

// Input schemas for shortages and traceability, shared by the JSON API and the pages.

const scanned = (what: string) => z.preprocess((v) => (v === '' || v === null ? undefined : v), text().trim().min(1).max(64, `${what} is too long (64 characters at most)`).optional());

/** ?lot= or ?serial= (exactly one) of a recall. */
export const recallQuery = z.object({ lot: scanned('lot'), serial: scanned('serial') })
  .refine((q) => !q.lot !== !q.serial, { message: 'give either a lot or a serial, not both', path: ['lot'] });

export function parseRecallQuery(query: unknown): RecallInput {
  const q = recallQuery.parse(query ?? {});
  return { lot: q.lot, serial: q.serial };
}

/** The trace page's scan box: what was scanned, optionally which part, and which report. */
export const scanQuery = z.object({
  code: scanned('code'),
  part: optionalText(64),
  report: z.enum(['as_built', 'recall']).catch('as_built'),
});
export type ScanInput = z.infer<typeof scanQuery>;
