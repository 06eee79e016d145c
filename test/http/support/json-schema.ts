// A checker for the subset of JSON Schema that server/http/openapi.ts uses: $ref, allOf, type,
// nullable, enum, pattern, format (date, date-time, uuid), properties, required and items.
// Strict about responses: a property the schema does not document is a problem too, so the
// document cannot fall behind what the API sends.

type Schema = { [key: string]: any };
export type OpenApi = { components: Record<string, Record<string, Schema>>; paths: Record<string, Record<string, Schema>> };

const FORMATS: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

function resolve(doc: OpenApi, s: Schema): Schema {
  if (!s.$ref) return s;
  const [, , kind, name] = String(s.$ref).split('/');
  const target = doc.components[kind]?.[name];
  if (!target) throw new Error(`Unresolved $ref ${s.$ref}`);
  return resolve(doc, target);
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every way `value` breaks `schema`, each as "path: problem"; empty when it conforms. */
export function problems(doc: OpenApi, value: unknown, schema: Schema, at = '$'): string[] {
  const s = resolve(doc, schema);
  if (value === null) return s.nullable ? [] : [`${at}: is null but not nullable`];
  if (s.allOf) return (s.allOf as Schema[]).flatMap((sub) => problems(doc, value, sub, at));
  const got = typeOf(value);
  if (s.type && !(s.type === got || (s.type === 'number' && got === 'integer'))) return [`${at}: is ${got}, documented as ${s.type}`];
  const out: string[] = [];
  if (s.enum && !s.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (s.pattern && !new RegExp(s.pattern).test(value)) out.push(`${at}: ${JSON.stringify(value)} does not match ${s.pattern}`);
    if (s.format && FORMATS[s.format] && !FORMATS[s.format].test(value)) out.push(`${at}: ${JSON.stringify(value)} is not a ${s.format}`);
  }
  if (Array.isArray(value) && s.items) value.forEach((v, i) => out.push(...problems(doc, v, s.items, `${at}[${i}]`)));
  if (got === 'object' && s.properties) {
    const obj = value as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in obj)) out.push(`${at}.${k}: is required but missing`);
    for (const [k, v] of Object.entries(obj)) {
      if (s.properties[k]) out.push(...problems(doc, v, s.properties[k], `${at}.${k}`));
      else out.push(`${at}.${k}: is not documented`);
    }
  }
  return out;
}

/** The documented JSON body schema of one response: `responseSchema(doc, 'post', '/stock/receipts', 201)`. */
export function responseSchema(doc: OpenApi, method: string, path: string, status: number): Schema {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  const response = op.responses[String(status)];
  if (!response) throw new Error(`${method.toUpperCase()} ${path} documents no ${status} response`);
  const schema = resolve(doc, response).content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${status} has no JSON body`);
  return schema;
}
