/**
 * BOM explosion: a 6-level BOM over 5,000 parts, exploded with the pure domain functions the
 * shortage cascade and the BOM page use (explode + leafRequirements + lowLevelCodes). No database.
 *
 *   npx tsx bench/explode.ts          # alone
 *   npm run bench -- explode          # as a phase of bench/run.ts
 *
 * The shape: a product (level 0) with 4 sub-assemblies, each with 4 of its own, down to level 5
 * (1,365 assemblies, none shared); every assembly also takes 3 bought parts, and the level-5
 * assemblies 6 each, drawn from a pool of 3,635 bought parts (level 6), so common parts (screws,
 * seals) appear under many assemblies as they do in a real machine. 5,000 parts, 8,531 BOM lines.
 */
// The demo's seeded generator (mulberry32), so every run builds the same data.
import { prng } from '../server/services/demo/plan';
import { Decimal } from '../server/domain/decimal';
import { BomLine, byParent, explode, leafRequirements, lowLevelCodes, BomNode } from '../server/domain/bom';
import { median, spread, fmt } from './support';

const FAN_OUT = 4;
const ASSEMBLY_LEVELS = 6; // levels 0..5 are assemblies, level 6 bought parts
const PARTS = 5000;
const BOUGHT_PER_ASSEMBLY = 3;
const BOUGHT_PER_BOTTOM_ASSEMBLY = 6;
const WARMUP = 5;
const RUNS = 40;
const BUILD_QTY = new Decimal(25);


export function sixLevelBom(): { root: string; lines: BomLine[]; parts: number } {
  const rnd = prng(42);
  const lines: BomLine[] = [];
  const line = (parent: string, component: string, qty: string, attrition = '0'): BomLine =>
    ({ parent, component, qtyPer: new Decimal(qty), attritionPct: new Decimal(attrition), step: null, optional: false, note: '' });
  let level = ['A0-0'];
  const assemblies: string[][] = [level];
  for (let l = 1; l < ASSEMBLY_LEVELS; l++) {
    const next: string[] = [];
    for (const parent of level) {
      for (let k = 0; k < FAN_OUT; k++) {
        const sku = `A${l}-${next.length}`;
        next.push(sku);
        lines.push(line(parent, sku, String(1 + (k % 2))));
      }
    }
    assemblies.push(next);
    level = next;
  }
  const assemblyCount = assemblies.flat().length;
  const bought = Array.from({ length: PARTS - assemblyCount }, (_, i) => `B-${i}`);
  let unused = 0;
  // Every bought part is used at least once; after that, picks repeat (common parts).
  const pick = () => bought[unused < bought.length ? unused++ : Math.floor(rnd() * bought.length)];
  assemblies.forEach((parents, l) => {
    for (const parent of parents) {
      const n = l === ASSEMBLY_LEVELS - 1 ? BOUGHT_PER_BOTTOM_ASSEMBLY : BOUGHT_PER_ASSEMBLY;
      for (let k = 0; k < n; k++) lines.push(line(parent, pick(), String(1 + Math.floor(rnd() * 8)), k === 0 ? '2.5' : '0'));
    }
  });
  while (unused < bought.length) lines.push(line(assemblies[ASSEMBLY_LEVELS - 1][unused % assemblies[ASSEMBLY_LEVELS - 1].length], bought[unused++], '1'));
  return { root: 'A0-0', lines, parts: assemblyCount + bought.length };
}

function countNodes(n: BomNode): number {
  return 1 + n.children.reduce((s, c) => s + countNodes(c), 0);
}

/** Runs the phase and returns its summary line. */
export function explodePhase(log: (s?: string) => void = console.log): string[] {
  const bom = sixLevelBom();
  const boms = byParent(bom.lines);
  log(`\n[explode] A 6-level BOM: ${fmt(bom.parts, 0)} parts, ${fmt(bom.lines.length, 0)} BOM lines, built in ${BUILD_QTY.toFixed()}; explode + leafRequirements + lowLevelCodes (pure domain)`);
  let tree = explode(boms, bom.root, BUILD_QTY);
  for (let i = 0; i < WARMUP; i++) tree = explode(boms, bom.root, BUILD_QTY);
  const times = { explode: [] as number[], total: [] as number[] };
  let leaves = new Map<string, Decimal>();
  let levels = new Map<string, number>();
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    tree = explode(boms, bom.root, BUILD_QTY);
    const t1 = performance.now();
    leaves = leafRequirements(tree);
    levels = lowLevelCodes(tree);
    const t2 = performance.now();
    times.explode.push(t1 - t0);
    times.total.push(t2 - t0);
  }
  const e = spread(times.explode);
  const all = spread(times.total);
  log(`  tree: ${fmt(countNodes(tree), 0)} nodes, ${leaves.size} distinct leaf parts, deepest level ${Math.max(...levels.values())}`);
  log(`  explode alone (${RUNS} runs): median ${fmt(median(times.explode), 1)} ms, p95 ${fmt(e.p95, 1)} ms, max ${fmt(e.max, 1)} ms`);
  log(`  explode + leafRequirements + lowLevelCodes: median ${fmt(median(times.total), 1)} ms, p95 ${fmt(all.p95, 1)} ms, max ${fmt(all.max, 1)} ms`);
  return [`explode:   6-level BOM over ${fmt(bom.parts, 0)} parts (${fmt(countNodes(tree), 0)} tree nodes): median ${fmt(median(times.total), 1)} ms, p95 ${fmt(all.p95, 1)} ms (explode alone median ${fmt(median(times.explode), 1)} ms)`];
}

if (require.main === module) explodePhase();
