// A checker for the subset of JSON Schema that server/http/openapi.ts uses: $ref, allOf, type,
// nullable, enum, pattern, format (date, date-time, uuid), properties, required and items.
// Strict about responses: a property the schema does not document is a problem too, so the
// document cannot fall behind what the API sends.
// Options (off by default, so the app's own document is checked as it always was) add what a
// third party's document needs: Xero's files use const, oneOf, allOf split over members, deep
// $refs, maxLength and minimum, and mark their "/Date(1573755038314+0000)/" strings x-is-msdate.

type Schema = { [key: string]: any };
export type OpenApi = { components: Record<string, Record<string, Schema>>; paths: Record<string, Record<string, Schema>> };

const FORMATS: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

export type CheckOptions = {
  /** Strings marked x-is-msdate or x-is-msdate-time must be Xero's "/Date(ms)/" or "/Date(ms+0000)/". */
  msDates?: boolean;
  /** A date-time may leave out its zone ("2024-06-21T01:15:39.902"), as Xero's webhook examples do. */
  zonelessDateTimes?: boolean;
  /** Also check const, oneOf, maxLength, minimum and maximum. */
  moreKeywords?: boolean;
  /** Read allOf as one schema: a property any member documents is documented (OpenAPI 3.1 style). */
  allOfAsOne?: boolean;
};

const MS_DATE = /^\/Date\(-?\d+([+-]\d{4})?\)\/$/;
const ZONELESS_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** The schema a $ref points at, by JSON pointer ("#/components/schemas/A/properties/b/items" too). */
function resolve(doc: OpenApi, s: Schema): Schema {
  if (!s.$ref) return s;
  const target = String(s.$ref).replace(/^#\//, '').split('/').reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  if (!target) throw new Error(`Unresolved $ref ${s.$ref}`);
  return resolve(doc, target);
}

/** allOf's members (and the schema's own keywords) as one schema; a property in several members must meet each. */
function mergeAllOf(doc: OpenApi, s: Schema): Schema {
  const { allOf, ...own } = s;
  const parts = [own, ...(allOf as Schema[]).map((m) => resolve(doc, m))].map((m) => (m.allOf ? mergeAllOf(doc, m) : m));
  const out: Schema = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties') out.properties = mergeProperties(out.properties ?? {}, v);
      else if (k === 'required') out.required = [...(out.required ?? []), ...v];
      else if (k === 'items' && out.items) out.items = { allOf: [out.items, v] };
      else out[k] = v;
    }
  }
  return out;
}

function mergeProperties(a: Record<string, Schema>, b: Record<string, Schema>): Record<string, Schema> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? { allOf: [out[k], v] } : v;
  return out;
}

/** What the options add for one value: Xero's dates and the keywords the app's document does not use. */
function extraProblems(doc: OpenApi, value: unknown, s: Schema, at: string, opts: CheckOptions): string[] {
  const out: string[] = [];
  if (opts.msDates && typeof value === 'string' && (s['x-is-msdate'] || s['x-is-msdate-time']) && !MS_DATE.test(value)) out.push(`${at}: ${JSON.stringify(value)} is not a /Date(ms+0000)/`);
  if (!opts.moreKeywords) return out;
  if ('const' in s && value !== s.const) out.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`);
  if (typeof value === 'string' && s.maxLength !== undefined && value.length > s.maxLength) out.push(`${at}: is longer than ${s.maxLength}`);
  if (typeof value === 'number' && s.minimum !== undefined && value < s.minimum) out.push(`${at}: ${value} is below the minimum ${s.minimum}`);
  if (typeof value === 'number' && s.maximum !== undefined && value > s.maximum) out.push(`${at}: ${value} is above the maximum ${s.maximum}`);
  if (s.oneOf) {
    const matching = (s.oneOf as Schema[]).filter((m) => problems(doc, value, m, at, opts).length === 0).length;
    const consts = (s.oneOf as Schema[]).map((m) => resolve(doc, m).const).filter((c) => c !== undefined);
    if (matching !== 1) out.push(`${at}: ${JSON.stringify(value)} matches ${matching} of oneOf${consts.length ? ` (${consts.join(', ')})` : ''}`);
  }
  return out;
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every way `value` breaks `schema`, each as "path: problem"; empty when it conforms. */
export function problems(doc: OpenApi, value: unknown, schema: Schema, at = '$', opts: CheckOptions = {}): string[] {
  const s = resolve(doc, schema);
  if (value === null) return s.nullable ? [] : [`${at}: is null but not nullable`];
  if (s.allOf && opts.allOfAsOne) return problems(doc, value, mergeAllOf(doc, s), at, opts);
  if (s.allOf) return (s.allOf as Schema[]).flatMap((sub) => problems(doc, value, sub, at, opts));
  const got = typeOf(value);
  if (s.type && !(s.type === got || (s.type === 'number' && got === 'integer'))) return [`${at}: is ${got}, documented as ${s.type}`];
  const out: string[] = extraProblems(doc, value, s, at, opts);
  if (s.enum && !s.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (s.pattern && !new RegExp(s.pattern).test(value)) out.push(`${at}: ${JSON.stringify(value)} does not match ${s.pattern}`);
    const zoneless = opts.zonelessDateTimes && s.format === 'date-time' && ZONELESS_DATE_TIME.test(value);
    if (s.format && FORMATS[s.format] && !zoneless && !FORMATS[s.format].test(value)) out.push(`${at}: ${JSON.stringify(value)} is not a ${s.format}`);
  }
  if (Array.isArray(value) && s.items) value.forEach((v, i) => out.push(...problems(doc, v, s.items, `${at}[${i}]`, opts)));
  if (got === 'object' && s.properties) {
    const obj = value as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in obj)) out.push(`${at}.${k}: is required but missing`);
    for (const [k, v] of Object.entries(obj)) {
      if (s.properties[k]) out.push(...problems(doc, v, s.properties[k], `${at}.${k}`, opts));
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
