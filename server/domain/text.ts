// Text a person (or another system) sent us, checked before it can reach the database.
// PostgreSQL refuses two things JavaScript strings can hold: the NUL character (text and jsonb
// cannot store it) and a lone UTF-16 surrogate (half of a character, which has no UTF-8 form).
// Both only arrive from broken encoders or probes, so they are refused with a reason, never
// stored altered; the one exception is a provider's webhook event, which is kept (made storable)
// to show why it was not processed.

const NUL = /\u0000/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` cannot be stored as text, in people's words; null when it can. */
export function unstorableTextReason(s: string): string | null {
  if (NUL.test(s)) return 'contains a NUL character (\\u0000), which cannot be stored; remove it';
  if (LONE_SURROGATE.test(s)) return 'contains a broken character (half of a UTF-16 surrogate pair); check the text\'s encoding';
  return null;
}

/** `s` with each NUL and lone surrogate replaced by U+FFFD, the replacement character. */
export function storableText(s: string): string {
  return s.replace(new RegExp(`${NUL.source}|${LONE_SURROGATE.source}`, 'g'), '\ufffd');
}

export type TextProblem = { path: (string | number)[]; reason: string };

/**
 * The first unstorable string (a value or a key) in a parsed JSON value or form, with its path,
 * walked without recursion so that no nesting depth can overflow the stack.
 */
export function findUnstorableText(value: unknown): TextProblem | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unstorableTextReason(v);
      if (reason) return { path, reason };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v).reverse()) {
        const reason = unstorableTextReason(k);
        if (reason) return { path: [...path, k], reason: `has a name that ${reason}` };
        stack.push({ v: child, path: [...path, k] });
      }
    }
  }
  return null;
}

/** A copy of a parsed JSON value with every string (values and keys) made storable. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)]));
  return value;
}
