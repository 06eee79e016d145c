import { Express } from 'express';

// The routes an Express 5 app really serves, found by walking its router stack (router 2 keeps
// each layer's mount path as `rawPath`), so a route added without documentation is noticed.

type Layer = { rawPath?: unknown; route?: { path: unknown; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

function walk(stack: Layer[], prefix: string): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${String(layer.route.path)}`;
      return Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${path}`);
    }
    if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      return walk(layer.handle.stack, `${prefix}${mount}`);
    }
    return [];
  });
}

/** "METHOD /path" for every route under `base`, with Express ":param" written OpenAPI's "{param}" way. */
export function servedRoutes(app: Express, base: string): string[] {
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  return [...new Set(walk(router.stack, '')
    .filter((r) => r.split(' ')[1].startsWith(`${base}/`))
    .map((r) => r.replace(` ${base}`, ' ').replace(/:(\w+)/g, '{$1}')))]
    .sort();
}

/** "METHOD /path" for every operation in an OpenAPI document. */
export function documentedRoutes(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`)).sort();
}
