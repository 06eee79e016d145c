import { QTY_DP } from '../domain/decimal';
import { BOM_CSV_COLUMNS } from '../services/boms/import-boms';
import { MAX_TREE_NODES } from '../services/boms/tree';
import { OpenApiKit } from './openapi-purchasing';

// The bills-of-materials part of the OpenAPI document (see openapi.ts, which lends its schema
// helpers and merges these in).

type Schema = { [key: string]: unknown };

const WRITERS = ['admin', 'operations'] as ('admin' | 'operations')[];
const SOURCES = ['bought', 'made', 'both'] as const;
const CSV_EXAMPLE = 'parent_sku,component_sku,quantity,step,attrition_pct,optional,note\nPUMP-1,MOTOR-1,1,10,,no,\nPUMP-1,BOLT-8,8,20,2,no,M8 x 30\n';

export function bomsDoc(k: OpenApiKit): { schemas: Record<string, Schema>; paths: Record<string, Schema>; tags: { name: string; description: string }[] } {
  const { ref, nullable, text, int, bool, list, code, record, input, decimalIn, decimalOut, param, operation, oneOf } = k;
  const sku: Schema = { $ref: '#/components/parameters/Sku' };
  const skus = (description: string) => list(text(), { description });
  const schemas: Record<string, Schema> = {
    BomInput: input({
      lines: list(input({
        component: code('Component SKU (or barcode): a bought part or another assembly; not the assembly itself, and not one that uses it (a loop)'),
        qty_per: decimalIn('Quantity per one unit of the assembly, greater than zero (fractions allowed: 0.5 m of cable)', QTY_DP),
        attrition_pct: decimalIn('Expected loss in making, in percent: 0 (the default) to below 1000, at most 4 decimal places', 4),
        step: nullable(int('The job step that consumes the line (1 to 999); null or left out: none', { minimum: 1, maximum: 999 })),
        optional: bool('An optional line (default false): shown in the tree, left out of job cards unless asked'),
        note: text('Reference designators and the like', { maxLength: 2000 }),
      }, ['component', 'qty_per']), { maxItems: 2000, description: 'In order; an empty list removes the BOM' }),
    }, ['lines']),
    BomLine: record({
      id: k.uuid(), position: int('1, 2, 3... in the BOM\'s order'), component: text('SKU'), component_name: text(), unit: text('The component\'s stock unit'),
      qty_per: decimalOut('Per one unit of the assembly'), attrition_pct: decimalOut('Percent'), step: nullable(int()), optional: bool(), note: text(),
      has_bom: bool('The component is itself an assembly'),
    }),
    Bom: record({ sku: text('The assembly'), name: text(), unit: text(), source: oneOf(SOURCES), lines: list(ref('BomLine')) }),
    AssemblySummary: record({ sku: text(), name: text(), unit: text(), source: oneOf(SOURCES), lines: int('Lines in its BOM'), top_level: bool('No other BOM uses it') }),
    BomTreeNode: record({
      sku: text(), name: text(), unit: text(), level: int('0 for the assembly built, 1 for its lines...'), path: skus('SKUs from the assembly down to this node'),
      qty_per: nullable(decimalOut('Per one unit of the node above (null at the root)')), attrition_pct: nullable(decimalOut('Percent')), step: nullable(int()),
      optional: bool('An optional line, or under one: shown, never counted or marked short'), note: text(), has_bom: bool('An assembly itself'),
      required: decimalOut('Needed here for the build quantity, attrition included (rounded up to 6 places)'),
      total_required: decimalOut('Needed of this part over the whole tree'),
      on_hand: decimalOut('On hand, all locations'), allocated: decimalOut('Allocated to jobs'), available: decimalOut('On hand less allocated'), on_order: decimalOut('Open purchase order lines not yet received'),
      short: bool('total_required is more than available'),
    }),
    BomTree: record({ sku: text(), name: text(), unit: text(), quantity: decimalOut('The build quantity'), nodes: list(ref('BomTreeNode'), { description: 'Depth first' }), short_parts: skus('Parts marked short, in tree order') }),
    WhereUsed: record({
      sku: text('The part asked about'), name: text(),
      used_in: list(record({
        sku: text('An assembly using the part'), name: text(), level: int('1: on its own BOM; 2: through one sub-assembly...'), path: skus('SKUs from the assembly down to the part'),
        quantity: decimalOut('Of the part in one unit of the assembly along this path, attrition included'), optional: bool('A line on the path is optional'), top_level: bool('No other BOM uses the assembly'),
      }), { description: 'Nearest first, once per path' }),
    }),
    BomImport: record({ assemblies: int('BOMs replaced'), lines: int('Lines stored'), boms: list(record({ sku: text(), lines: int() })) }),
  };
  const tag = 'Bills of materials';
  const paths: Record<string, Schema> = {
    '/boms': { get: operation({ id: 'listBoms', tag, summary: 'Assemblies (parts with a BOM)', ok: { status: 200, description: 'By SKU, with line counts', schema: record({ assemblies: list(ref('AssemblySummary')) }) } }) },
    '/boms/export': {
      get: operation({ id: 'exportBoms', tag, summary: 'Every BOM as CSV', description: `The import's columns (${BOM_CSV_COLUMNS.join(', ')}), by assembly and line order: it imports back unchanged.`, ok: { status: 200, type: 'text/csv', description: 'CSV attachment', schema: text() } }),
    },
    '/boms/import': { post: importOperation(k) },
    '/boms/{sku}': {
      get: operation({ id: 'getBom', tag, summary: 'An assembly\'s BOM', description: 'A part with no BOM yet answers with no lines.', params: [sku], errors: [404], ok: { status: 200, description: 'The lines in order', schema: ref('Bom') } }),
      put: operation({
        id: 'saveBom', tag, summary: 'Replace an assembly\'s BOM', roles: WRITERS, params: [sku], body: ref('BomInput'), errors: [404],
        description: 'All or nothing; every problem is reported at its field ("lines.2.component"). A component that is the assembly itself, or that would make a loop, is refused with the path that loops ("Adding B under A makes a loop: A > B > C > A"). A bought part that gets a BOM becomes source both.',
        ok: { status: 200, description: 'The BOM as stored', schema: ref('Bom') },
      }),
    },
    '/boms/{sku}/tree': {
      get: operation({
        id: 'getBomTree', tag, summary: 'The BOM to every level with stock figures', errors: [404, 409, 422],
        description: `Each node with its part's on hand, allocated, available and on order over all locations. A part is short when the whole tree needs more of it than is available. Requirements are gross: sub-assemblies in stock are not netted off. 409 when the tree has more than ${MAX_TREE_NODES} nodes.`,
        params: [sku, param('quantity', 'query', decimalIn('How many of the assembly to build (default 1); whole for parts counted in whole units', QTY_DP), 'Build quantity')],
        ok: { status: 200, description: 'The tree, depth first', schema: ref('BomTree') },
      }),
    },
    '/parts/{sku}/where-used': {
      get: operation({ id: 'getWhereUsed', tag, summary: 'Every assembly that uses a part', description: 'Directly and through sub-assemblies, once per path, nearest first.', params: [sku], errors: [404, 409], ok: { status: 200, description: 'The assemblies', schema: ref('WhereUsed') } }),
    },
  };
  return { schemas, paths, tags: [{ name: tag, description: 'Multi-level BOMs: lines, tree with stock figures, where-used, CSV import and export' }] };
}

/** The import takes the CSV as text/csv, or as JSON {"csv": "..."}; the kit's operation knows one body type, so the JSON one is added here. */
function importOperation(k: OpenApiKit): Schema {
  const op = k.operation({
    id: 'importBoms', tag: 'Bills of materials', summary: 'Import BOMs from CSV', roles: WRITERS, bodyType: 'text/csv', errors: [400, 413, 422],
    description: `All or nothing: the rows of each parent_sku replace that assembly's BOM; assemblies not in the CSV are left alone. Every problem is reported with its row and column ("row 3, quantity"), loops over all the BOMs as they would be after the import, and nothing is stored when any is wrong. Columns: ${BOM_CSV_COLUMNS.join(', ')} (parent_sku, component_sku and quantity required; optional is yes/no/true/false/1/0 or blank).`,
    body: k.text('CSV with a header line', { example: CSV_EXAMPLE }),
    ok: { status: 200, description: 'What was replaced', schema: k.ref('BomImport') },
  });
  const body = op.requestBody as { content: Record<string, Schema> };
  body.content['application/json'] = { schema: k.input({ csv: k.text('The CSV text, header line first', { minLength: 1 }) }, ['csv']) };
  return op;
}
