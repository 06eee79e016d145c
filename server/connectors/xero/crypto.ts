import crypto from 'node:crypto';

// Secrets at rest: AES-256-GCM with a fresh 96-bit IV per value. The text form is
// "v1.<iv>.<tag>.<ciphertext>" (base64url), so a later key or algorithm can be a "v2" beside it.
const VERSION = 'v1';
const IV_BYTES = 12;

export class DecryptError extends Error {}

function checkKey(key: Buffer | undefined): Buffer {
  if (!key) throw new Error('PERPETUA_ENCRYPTION_KEY is not set: it is needed to store and use accounting connection tokens');
  if (key.length !== 32) throw new Error(`The encryption key must be 32 bytes (got ${key.length})`);
  return key;
}

export function encryptSecret(plain: string, key: Buffer | undefined): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', checkKey(key), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** Throws DecryptError when the text was altered or was written under another key. */
export function decryptSecret(text: string, key: Buffer | undefined): string {
  const k = checkKey(key);
  const [version, iv, tag, body, ...rest] = text.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined || rest.length) throw new DecryptError(`Unknown secret format (${version ?? 'empty'})`);
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptError('Cannot decrypt a stored secret: it was altered or encrypted under another key');
  }
}
