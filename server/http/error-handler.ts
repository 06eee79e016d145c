import { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { DomainError, FieldProblem, TooManyRequests } from '../errors';
import { Logger } from '../logger';
import { isDatabaseOutage } from '../db';
import { wantsJson, render } from './render';

/** A database outage (503) is usually over in seconds: the client is told when to try again. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

type Problem = { status: number; code: string; message: string; fields: FieldProblem[] };

/** The one place errors become responses: JSON for the API, an inline form or an error page otherwise. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const p = toProblem(err);
    if (p.status >= 500) log.error({ err, event: 'http.error', path: req.path }, 'request failed');
    if (res.headersSent) return;
    if (err instanceof TooManyRequests) res.set('Retry-After', String(err.retryAfterSeconds));
    if (p.status === 503) res.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    if (wantsJson(req)) {
      res.status(p.status).json({ error: { code: p.code, message: p.message, fields: p.fields } });
      return;
    }
    const form = res.locals.form as { view: string; data?: Record<string, unknown> } | undefined;
    if (form && p.status < 500) {
      // The one-line forms post a command with one line: show "lines.0.quantity" at "quantity".
      const errors = Object.fromEntries(p.fields.map((f) => [f.field.replace(/^lines\.0\./, '').replace(/\.\d+$/, ''), f.message]));
      render(req, res.status(p.status), form.view, { ...form.data, values: req.body, errors, problem: p.message });
      return;
    }
    if (p.status === 401) return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
    render(req, res.status(p.status), 'pages/error', { status: p.status, message: p.message });
  };
}

/** What an error says and its status: also how a background run (a parts import) records its failure. */
export function toProblem(err: unknown): Problem {
  if (err instanceof DomainError) return { status: err.status, code: err.code, message: err.message, fields: err.fields };
  if (err instanceof ZodError) {
    // Each field carries the plain reason (shown beside its box); the summary names the paths.
    const fields = err.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message }));
    return { status: 422, code: 'invalid', message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields };
  }
  const e = err as { type?: string; status?: number; code?: string; message?: string };
  if (e?.type === 'entity.too.large') return { status: 413, code: 'too_large', message: 'The request body is too large', fields: [] };
  if (e?.type === 'entity.too.deep') return { status: 400, code: 'too_deep', message: String(e.message), fields: [] };
  if (isDatabaseOutage(err)) return { status: 503, code: 'database_unavailable', message: 'The database is not reachable just now; try again in a few seconds', fields: [] };
  if (e?.type === 'entity.parse.failed') return { status: 400, code: 'malformed_json', message: 'The request body is not valid JSON', fields: [] };
  // Safety nets: the services check first, so these mean a rule was missed, never a crash.
  if (e?.code === '22003') return { status: 422, code: 'out_of_range', message: 'A number is too large to store; nothing was changed', fields: [] };
  if (e?.code === '23505') return { status: 409, code: 'conflict', message: 'That already exists; nothing was changed', fields: [] };
  if (e?.code === 'EBADCSRFTOKEN' || e?.message === 'invalid csrf token') return { status: 403, code: 'csrf', message: 'The form expired; reload the page and try again', fields: [] };
  if (e?.status && e.status >= 400 && e.status < 500) return { status: e.status, code: 'bad_request', message: e.message ?? 'Bad request', fields: [] };
  return { status: 500, code: 'internal', message: 'Something went wrong on our side; nothing was changed', fields: [] };
}

export const notFound: RequestHandler = (req, _res, next) => next(new DomainError('not_found', 404, `No page at ${req.path}`));
