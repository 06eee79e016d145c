import { BomsByParent } from './types';

/**
 * The path that would loop if `component` were added under `parent` (["A", "B", "C", "A"]), or
 * null. A part under itself is the shortest loop: ["A", "A"].
 */
export function cycleIfAdded(boms: BomsByParent, parent: string, component: string): string[] | null {
  if (parent === component) return [parent, parent];
  const path = pathDown(boms, component, parent, new Set());
  return path ? [parent, ...path] : null;
}

/** A path of components from `from` down to `to`, depth first. */
function pathDown(boms: BomsByParent, from: string, to: string, seen: Set<string>): string[] | null {
  if (from === to) return [to];
  if (seen.has(from)) return null;
  seen.add(from);
  for (const line of boms.get(from) ?? []) {
    const rest = pathDown(boms, line.component, to, seen);
    if (rest) return [from, ...rest];
  }
  return null;
}

/** Every loop-free check at once: the first loop found in the whole set of BOMs, or null. */
export function findCycle(boms: BomsByParent): string[] | null {
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (part: string): string[] | null => {
    const at = onPath.indexOf(part);
    if (at >= 0) return [...onPath.slice(at), part];
    if (done.has(part)) return null;
    onPath.push(part);
    for (const line of boms.get(part) ?? []) {
      const loop = visit(line.component);
      if (loop) return loop;
    }
    onPath.pop();
    done.add(part);
    return null;
  };
  for (const parent of boms.keys()) {
    const loop = visit(parent);
    if (loop) return loop;
  }
  return null;
}
