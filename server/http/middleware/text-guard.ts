import { Application, Request, RequestHandler } from 'express';
import { Invalid } from '../../errors';
import { findUnstorableText, unstorableTextReason } from '../../domain/text';

// The input schemas refuse unstorable text (a NUL, half a surrogate pair) field by field, with
// the text primitive of http/schemas.ts. Some values reach a query without passing a schema: path
// values (a SKU, a PO number), query strings read directly, and form fields a page reads as they
// are. This guard checks those first, with the same primitive's reason, so no such value can make
// PostgreSQL fail with a 500. JSON bodies are left to the schemas, which name their fields.

/** Refuses the request (422, naming the field) when its path, query or form holds unstorable text. */
export const refuseUnstorableText: RequestHandler = (req, _res, next) => {
  const problem = pathProblem(req) ?? inQuery(req) ?? inForm(req);
  next(problem ? Invalid.field(problem.field, problem.reason) : undefined);
};

type Problem = { field: string; reason: string };

function inQuery(req: Request): Problem | null {
  const p = findUnstorableText(req.query);
  return p ? { field: p.path.join('.'), reason: p.reason } : null;
}

function inForm(req: Request): Problem | null {
  if (!req.is('application/x-www-form-urlencoded') && !req.is('multipart/form-data')) return null;
  const p = findUnstorableText(req.body);
  return p ? { field: p.path.join('.') || 'body', reason: p.reason } : null;
}

/** A bad path segment, named after the route parameter it fills (":sku" names "sku"). */
function pathProblem(req: Request): Problem | null {
  const segments = req.originalUrl.split('?')[0].split('/');
  for (let i = 0; i < segments.length; i++) {
    let value: string;
    try {
      value = decodeURIComponent(segments[i]);
    } catch {
      return { field: paramAt(req, segments, i), reason: 'is not valid UTF-8 text' };
    }
    const reason = unstorableTextReason(value);
    if (reason) return { field: paramAt(req, segments, i), reason };
  }
  return null;
}

function paramAt(req: Request, segments: string[], i: number): string {
  const template = routeTemplates(req.app).find((t) => t.length === segments.length && t.every((s, j) => s.startsWith(':') || s === segments[j]));
  return template?.[i]?.startsWith(':') ? template[i].slice(1) : 'path';
}

// The app's route paths ("/api/v1/parts/:sku" as ['', 'api', 'v1', 'parts', ':sku']), read once
// from its router, as test/http/support/routes.ts reads them.
type Layer = { rawPath?: unknown; route?: { path: unknown }; handle?: { stack?: Layer[] } };
const templates = new WeakMap<Application, string[][]>();

function routeTemplates(app: Application): string[][] {
  let found = templates.get(app);
  if (!found) {
    const stack = (app as unknown as { router?: { stack: Layer[] } }).router?.stack ?? [];
    found = walk(stack, '').map((p) => p.split('/'));
    templates.set(app, found);
  }
  return found;
}

function walk(stack: Layer[], prefix: string): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) return [`${prefix}${String(layer.route.path)}`];
    if (!layer.handle?.stack) return [];
    const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    return walk(layer.handle.stack, `${prefix}${mount}`);
  });
}
