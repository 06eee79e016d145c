import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { Request, Response } from 'express';
import { registerHelpers } from '../../views/helpers';

const VIEWS = path.join(__dirname, '..', '..', 'views');
const hbs = Handlebars.create();
registerHelpers(hbs);
const templates = new Map<string, Handlebars.TemplateDelegate>();

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : d.name.endsWith('.hbs') ? [path.join(dir, d.name)] : []));
}

/** Compile every view once at start-up: partials by their path under views/partials. */
export function loadViews(): void {
  for (const file of walk(VIEWS)) {
    const name = path.relative(VIEWS, file).replace(/\\/g, '/').replace(/\.hbs$/, '');
    const source = fs.readFileSync(file, 'utf8');
    if (name.startsWith('partials/')) hbs.registerPartial(name.slice('partials/'.length), source);
    templates.set(name, hbs.compile(source, { strict: false }));
  }
}

export function isHtmx(req: Request): boolean {
  return req.get('HX-Request') === 'true' && req.get('HX-Boosted') !== 'true';
}

export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.originalUrl.startsWith('/api/');
}

/**
 * One URL serves both cases: a full page normally, and for htmx requests either the named
 * fragment (a partial) or the page body without the layout.
 */
export function render(req: Request, res: Response, view: string, data: Record<string, unknown> = {}, opts: { fragment?: string } = {}): void {
  if (!templates.size) loadViews();
  res.vary('HX-Request');
  const ctx = { ...res.locals, ...data };
  const htmx = isHtmx(req);
  const name = htmx && opts.fragment ? `partials/${opts.fragment}` : view;
  const tpl = templates.get(name);
  if (!tpl) throw new Error(`No view ${name}`);
  const body = tpl(ctx);
  res.type('html').send(htmx ? body : templates.get('layouts/main')!({ ...ctx, body }));
}
