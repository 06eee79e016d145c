// How deeply a JSON text nests, counted over its bytes without parsing it. Anything that walks a
// parsed value recursively (JSON.stringify for an idempotency hash, a schema, a payload copy)
// overflows the stack a few thousand levels down, so bodies deeper than any real one are refused
// before they are parsed.

/** The most arrays and objects any byte of `json` is inside; brackets in strings do not count. */
export function jsonNestingDepth(json: Buffer | string): number {
  const bytes = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) i++; // a backslash escapes the next byte, a quote included
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) {
      inString = true;
    } else if (b === 0x5b || b === 0x7b) {
      if (++depth > deepest) deepest = depth;
    } else if (b === 0x5d || b === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/** Our deepest body (a job step's lines, their lots) is 4 levels; Xero's events about 4. */
export const MAX_JSON_DEPTH = 32;
