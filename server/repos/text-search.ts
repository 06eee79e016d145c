import { Knex } from 'knex';

/**
 * A LIKE pattern for "contains `text`": % and _ are LIKE's wildcards and \ its escape character
 * (PostgreSQL's default), so each is escaped and a search for "BRG_6204" or "50%" finds only
 * those characters, never BRGX6204 or "500 Offices".
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Rows where any of `columns` contains `text`, ignoring case, with % and _ taken literally. */
export function whereAnyContains(b: Knex.QueryBuilder, columns: string[], text: string): Knex.QueryBuilder {
  const pattern = containsPattern(text);
  return b.andWhere((w) => { for (const c of columns) w.orWhereILike(c, pattern); });
}
