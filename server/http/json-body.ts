import express from 'express';
import { jsonNestingDepth, MAX_JSON_DEPTH } from '../domain/json-depth';

/**
 * The API's JSON body parser. A body nested deeper than any real one is refused (400) before it is
 * parsed: later steps walk the value recursively (the Idempotency-Key's request hash does) and
 * would overflow the stack on a few thousand levels.
 */
export const jsonBody = express.json({
  limit: '1mb',
  verify: (_req, _res, buf) => {
    if (jsonNestingDepth(buf) > MAX_JSON_DEPTH) {
      throw Object.assign(new Error(`The request body is nested too deeply (at most ${MAX_JSON_DEPTH} levels of arrays and objects)`), { status: 400, type: 'entity.too.deep' });
    }
  },
});
