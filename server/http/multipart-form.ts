import express, { RequestHandler } from 'express';
import { Invalid } from '../errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** A multipart form's chosen files, as text by field name (an input left empty is absent). */
    uploads?: Record<string, string>;
  }
}

/**
 * File-upload forms arrive as multipart/form-data, which express.urlencoded leaves unread. Read
 * only in the routes, the hidden _csrf field came too late for the CSRF check, so such a form
 * worked only when htmx copied the token into a header: without JavaScript it was refused. Read
 * here, before the check, a multipart form's text fields become req.body as a plain form's do,
 * and each chosen file's text goes in req.uploads.
 */
export function multipartForms(limitBytes: number): RequestHandler[] {
  const readRaw = express.raw({ type: 'multipart/form-data', limit: limitBytes });
  const toFields: RequestHandler = async (req, _res, next) => {
    if (!Buffer.isBuffer(req.body) || !req.is('multipart/form-data')) return next();
    try {
      const form = await new Response(new Uint8Array(req.body), { headers: { 'content-type': req.get('content-type') ?? '' } }).formData();
      const body: Record<string, string> = {};
      const files: [string, Blob][] = [];
      form.forEach((value, name) => (typeof value === 'string' ? (body[name] = value) : value.size && files.push([name, value])));
      const uploads: Record<string, string> = {};
      for (const [name, file] of files) uploads[name] = await file.text();
      req.body = body;
      req.uploads = uploads;
      next();
    } catch {
      next(Invalid.field('file', 'The upload could not be read; choose the file again'));
    }
  };
  return [readRaw, toFields];
}
