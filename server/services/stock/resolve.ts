import { Trx } from '../../db';
import { Decimal, QTY_DP, COST_DP } from '../../domain/decimal';
import { FieldProblem, Invalid } from '../../errors';
import { Part, Location, partsAndLocations } from '../../repos/catalogue';
import { StockCommand, Leg, LineInput, TransferLineInput } from './types';

/**
 * Turn a command's lines into legs: find each part and location (by SKU and code, scoped to the
 * organisation), check tracking rules, and split serial-tracked lines into one leg per serial.
 * Every problem in every line is reported at once, each naming its field.
 */
export async function resolveLegs(trx: Trx, tenantId: string, cmd: StockCommand): Promise<Leg[]> {
  const lines = cmd.lines as (LineInput | TransferLineInput)[];
  if (!lines.length) throw Invalid.field('lines', 'Give at least one line');
  const codes = lines.flatMap((l) => ('from' in l ? [l.from, l.to] : [l.location]));
  const { parts, locations } = await partsAndLocations(trx, tenantId, lines.map((l) => l.part), codes);
  const problems: FieldProblem[] = [];
  const legs: Leg[] = [];
  lines.forEach((line, i) => {
    // The same path zod reports for the JSON body, so a client finds every error the same way.
    const at = (f: string) => `lines.${i}.${f}`;
    const part = parts.get(line.part);
    if (!part) problems.push({ field: at('part'), message: `Unknown part ${line.part}` });
    const locs = ('from' in line ? [['from', line.from], ['to', line.to]] : [['location', line.location]]) as [string, string][];
    for (const [f, code] of locs) if (!locations.get(code)) problems.push({ field: at(f), message: `Unknown location ${code}` });
    if (!part || locs.some(([, c]) => !locations.get(c))) return;
    const before = problems.length;
    checkAmounts(part, line, at, problems, cmd.kind);
    checkTracking(part, line, at, problems, cmd.kind);
    if (problems.length > before) return;
    legs.push(...legsFor(cmd, line, part, locations, at));
  });
  if (problems.length) throw new Invalid(problems);
  return legs;
}

/**
 * The sign of a quantity is the command's to give (only an adjustment is signed), so a negative
 * issue is refused rather than issued as a positive one; and nothing is accepted that the
 * numeric columns would silently round.
 */
/** Far beyond any real line, and far inside what the value and journal columns hold. */
const MAX_LINE_VALUE = new Decimal('1e15');

function checkAmounts(part: Part, line: LineInput | TransferLineInput, at: (f: string) => string, problems: FieldProblem[], kind: StockCommand['kind']): void {
  const q = line.quantity;
  const got = `(got ${q.toFixed()})`;
  if (!q.isFinite()) problems.push({ field: at('quantity'), message: `Quantity of ${part.sku} must be a number` });
  else if (kind === 'adjustment' && q.isZero()) problems.push({ field: at('quantity'), message: `Quantity of ${part.sku} must not be zero` });
  else if (kind !== 'adjustment' && !q.gt(0)) problems.push({ field: at('quantity'), message: `Quantity of ${part.sku} must be greater than zero ${got}` });
  else if (q.decimalPlaces() > QTY_DP) problems.push({ field: at('quantity'), message: `Quantity of ${part.sku} has too many decimal places (at most ${QTY_DP}) ${got}` });
  const cost = 'unitCost' in line ? line.unitCost : undefined;
  if (cost && (!cost.isFinite() || cost.isNeg())) problems.push({ field: at('unit_cost'), message: `Unit cost of ${part.sku} must not be negative (got ${cost.toFixed()})` });
  else if (cost && cost.decimalPlaces() > COST_DP) problems.push({ field: at('unit_cost'), message: `Unit cost of ${part.sku} has too many decimal places (at most ${COST_DP})` });
  else if (cost && q.abs().mul(cost).gt(MAX_LINE_VALUE)) {
    problems.push({ field: at('unit_cost'), message: `The value of this line (${q.abs().toFixed()} × ${cost.toFixed()}) is more than ${MAX_LINE_VALUE.toFixed()}; check the quantity and unit cost of ${part.sku}` });
  }
  if ('from' in line && line.from === line.to) problems.push({ field: at('to'), message: `A transfer moves ${part.sku} between two different locations (from and to are both ${line.to})` });
}

function checkTracking(part: Part, line: LineInput | TransferLineInput, at: (f: string) => string, problems: FieldProblem[], kind: StockCommand['kind']): void {
  const qty = line.quantity.abs();
  if (!part.fractional && !qty.isInteger()) {
    problems.push({ field: at('quantity'), message: `${part.sku} is counted in whole ${part.unit}; ${line.quantity.toFixed()} is not a whole number` });
  }
  const serials = line.serials ?? [];
  if (part.tracking === 'serial') {
    if (!qty.isInteger() || !qty.eq(serials.length)) {
      problems.push({ field: at('serials'), message: `${part.sku} is serial-tracked: give one serial per unit (${qty.toFixed()} needed, ${serials.length} given)` });
    }
    const dup = serials.find((s, i) => serials.indexOf(s) !== i);
    if (dup) problems.push({ field: at('serials'), message: `Serial ${dup} of ${part.sku} is listed twice` });
  } else if (serials.length) {
    problems.push({ field: at('serials'), message: `${part.sku} is not serial-tracked; leave serials empty` });
  }
  if (part.tracking === 'lot' && !line.lot) problems.push({ field: at('lot'), message: `${part.sku} is lot-tracked: give the batch code` });
  if (part.tracking === 'none' && line.lot) problems.push({ field: at('lot'), message: `${part.sku} is not lot-tracked; leave lot empty` });
  if ((kind === 'opening_balance' || kind === 'receipt') && !('unitCost' in line && line.unitCost)) {
    problems.push({ field: at('unit_cost'), message: `Unit cost is required for ${part.sku}` });
  }
}

function legsFor(cmd: StockCommand, line: LineInput | TransferLineInput, part: Part, locations: Map<string, Location>, at: (f: string) => string): Leg[] {
  const lot = line.lot ?? '';
  const serials: (string | null)[] = line.serials?.length ? line.serials : [null];
  const each = (q: Decimal) => (line.serials?.length ? new Decimal(1) : q);
  const base = (serial: string | null, i: number) => ({ part, lot, serial, field: line.serials?.length ? at(`serials.${i}`) : at('quantity') });
  if ('from' in line) {
    const from = locations.get(line.from)!;
    const to = locations.get(line.to)!;
    // The inbound leg's cost is filled in from the outbound draws when the transfer is applied.
    return serials.flatMap((s, i) => [
      { ...base(s, i), dir: 'out' as const, location: from, qty: each(line.quantity), cost: { kind: 'method' as const } },
      { ...base(s, i), dir: 'in' as const, location: to, qty: each(line.quantity), cost: { kind: 'carried' as const } },
    ]);
  }
  const location = locations.get(line.location)!;
  const outbound = cmd.kind === 'issue' || (cmd.kind === 'adjustment' && line.quantity.isNeg());
  return serials.map((s, i) =>
    outbound
      ? { ...base(s, i), dir: 'out' as const, location, qty: each(line.quantity.abs()), cost: { kind: 'method' as const } }
      : { ...base(s, i), dir: 'in' as const, location, qty: each(line.quantity), cost: line.unitCost ? { kind: 'unit' as const, unitCost: line.unitCost } : { kind: 'current' as const } },
  );
}
