import { BomLine, BomsByParent, cycleIfAdded, findCycle } from '../../domain/bom';

/** A loop a changed BOM would make: the line at fault (parent and component) and the path that loops. */
export type Loop = { parent: string; component: string; path: string[] };

/**
 * Every loop in `boms` (the BOMs as they would be after a save), each named once at a line of a
 * BOM being saved. The BOMs not being saved are loop-free (every save checks), so each loop runs
 * through a changed one. A loop is reported at its first line in a changed BOM, that line is set
 * aside, and the search goes on: two lines looping separately are both reported, a loop of three
 * new lines once. Pure: no database.
 */
export function loopsMadeBy(boms: BomsByParent, changed: ReadonlySet<string>): Loop[] {
  const graph = new Map<string, readonly BomLine[]>(boms);
  const loops: Loop[] = [];
  for (let loop = findCycle(graph); loop; loop = findCycle(graph)) {
    const at = loop.findIndex((part, i) => i < loop!.length - 1 && changed.has(part));
    if (at < 0) throw new Error(`BOM loop among BOMs not being saved: ${loop.join(' > ')}`);
    const [parent, component] = [loop[at], loop[at + 1]];
    graph.set(parent, graph.get(parent)!.filter((l) => l.component !== component));
    loops.push({ parent, component, path: cycleIfAdded(graph, parent, component)! });
  }
  return loops;
}

export function loopMessage(loop: Loop): string {
  return `Adding ${loop.component} under ${loop.parent} makes a loop: ${loop.path.join(' > ')}`;
}
