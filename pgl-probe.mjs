import { PGlite } from '@electric-sql/pglite';
const p = { 1082: (v) => v };
for (const [name, db] of [['undefined', new PGlite(undefined, { parsers: p })], ['memory://', new PGlite('memory://', { parsers: p })], ['options', new PGlite({ parsers: p })]]) {
  console.log(name, (await db.query("select '2026-10-31'::date as d")).rows);
}
