import { Decimal, QTY_DP } from '../../domain/decimal';
import { MAX_QUANTITY } from '../../domain/numbers';
import { FieldProblem } from '../../errors';
import { Part } from '../../repos/catalogue';
import { BomLineInput } from './types';

/** What the bom_lines columns hold: attrition numeric(9,4) below 1000 %, steps 1 to 999. */
const ATTRITION_DP = 4;
const MAX_ATTRITION = new Decimal(1000);
export const MAX_NOTE = 2000;
export const MAX_BOM_LINES = 2000;

/** A line whose component is known: what gets stored. */
export type CheckedLine = BomLineInput & { part: Part };

/**
 * Every problem with one assembly's lines, each at its field (`at(2, 'qty_per')` names it the
 * caller's way: "lines.2.qty_per" for the API, "row 7, quantity" for an import). Loops are
 * checked afterwards, over all the BOMs at once.
 */
export function checkBomLines(parent: Pick<Part, 'id' | 'sku'>, lines: BomLineInput[], parts: Map<string, Part>, at: (i: number, field: string) => string): { problems: FieldProblem[]; checked: CheckedLine[] } {
  const problems: FieldProblem[] = [];
  const checked: CheckedLine[] = [];
  if (lines.length > MAX_BOM_LINES) problems.push({ field: at(MAX_BOM_LINES, 'component'), message: `A BOM has at most ${MAX_BOM_LINES} lines` });
  lines.forEach((line, i) => {
    const bad = (field: string, message: string) => problems.push({ field: at(i, field), message });
    const part = parts.get(line.component);
    if (!part) bad('component', `Unknown part ${line.component}`);
    else if (part.id === parent.id) bad('component', `${parent.sku} cannot be a component of itself`);
    else checked.push({ ...line, part });
    const sku = part?.sku ?? line.component;
    checkQtyPer(line.qtyPer, parent.sku, sku, (m) => bad('qty_per', m));
    checkAttrition(line.attritionPct, sku, (m) => bad('attrition_pct', m));
    if (line.step !== undefined && line.step !== null && !(Number.isInteger(line.step) && line.step >= 1 && line.step <= 999)) {
      bad('step', `Step must be a whole number from 1 to 999, or left blank (got ${line.step})`);
    }
    if ((line.note ?? '').length > MAX_NOTE) bad('note', `Note is too long (${MAX_NOTE} characters at most)`);
  });
  return { problems, checked };
}

function checkQtyPer(q: Decimal, parent: string, sku: string, bad: (m: string) => void): void {
  if (!q.isFinite() || !q.gt(0)) bad(`Quantity of ${sku} per ${parent} must be greater than zero (got ${q.toFixed()})`);
  else if (q.decimalPlaces() > QTY_DP) bad(`Quantity of ${sku} per ${parent} has too many decimal places (at most ${QTY_DP})`);
  else if (q.gt(MAX_QUANTITY)) bad(`Quantity of ${sku} per ${parent} is more than ${MAX_QUANTITY.toFixed()}`);
}

function checkAttrition(a: Decimal | undefined, sku: string, bad: (m: string) => void): void {
  if (a === undefined) return;
  if (!a.isFinite() || a.isNeg() || a.gte(MAX_ATTRITION) || a.decimalPlaces() > ATTRITION_DP) {
    bad(`Attrition of ${sku} must be a percentage from 0 to below ${MAX_ATTRITION.toFixed()}, with at most ${ATTRITION_DP} decimal places (got ${a.toFixed()})`);
  }
}
