import { Request } from 'express';
import { Invalid } from '../errors';
import { formFields } from './form-claim';

/** The largest CSV an import form or the API takes. */
export const CSV_LIMIT = 5_000_000;

/**
 * The CSV an import form sent: a chosen file (field "file") wins over the paste box ("csv").
 * Both plain and multipart forms arrive as fields here (see multipart-form.ts).
 */
export function uploadedCsv(req: Request): string {
  const text = req.uploads?.file ?? formFields(req).csv ?? '';
  if (typeof text !== 'string' || !text.trim()) throw Invalid.field('csv', 'Choose a CSV file or paste the CSV');
  if (text.length > CSV_LIMIT) throw Invalid.field('csv', 'The CSV is too large (5 MB at most)');
  return text;
}
