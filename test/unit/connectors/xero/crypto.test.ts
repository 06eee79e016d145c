import crypto from 'node:crypto';
import { encryptSecret, decryptSecret, DecryptError } from '../../../../server/connectors/xero/crypto';
import { loadConfig, parseEncryptionKey } from '../../../../server/config';

const key = crypto.randomBytes(32);

describe('token encryption at rest', () => {
  it('round-trips a secret, with a fresh IV each time', () => {
    const a = encryptSecret('refresh-token-123', key);
    const b = encryptSecret('refresh-token-123', key);
    expect(a).toMatch(/^v1\./);
    expect(a).not.toEqual(b);
    expect(a).not.toContain('refresh-token-123');
    expect(decryptSecret(a, key)).toBe('refresh-token-123');
    expect(decryptSecret(b, key)).toBe('refresh-token-123');
  });

  it('detects a tampered ciphertext, tag or IV', () => {
    const [v, iv, tag, body] = encryptSecret('secret value', key).split('.');
    const flip = (s: string) => { const buf = Buffer.from(s, 'base64url'); buf[0] ^= 1; return buf.toString('base64url'); };
    for (const bad of [[v, iv, tag, flip(body)], [v, iv, flip(tag), body], [v, flip(iv), tag, body]]) {
      expect(() => decryptSecret(bad.join('.'), key)).toThrow(DecryptError);
    }
  });

  it('refuses a shortened authentication tag', () => {
    const [v, iv, tag, body] = encryptSecret('secret value', key).split('.');
    const short = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => decryptSecret([v, iv, short, body].join('.'), key)).toThrow(DecryptError);
  });

  it('refuses to decrypt under another key', () => {
    const text = encryptSecret('secret value', key);
    expect(() => decryptSecret(text, crypto.randomBytes(32))).toThrow('altered or encrypted under another key');
  });

  it('refuses an unknown format version', () => {
    const text = encryptSecret('secret value', key).replace(/^v1\./, 'v9.');
    expect(() => decryptSecret(text, key)).toThrow('Unknown secret format (v9)');
  });

  it('refuses to work without a key, or with a key of the wrong length', () => {
    expect(() => encryptSecret('x', undefined)).toThrow('PERPETUA_ENCRYPTION_KEY is not set');
    expect(() => encryptSecret('x', crypto.randomBytes(16))).toThrow('must be 32 bytes (got 16)');
  });
});

describe('PERPETUA_ENCRYPTION_KEY', () => {
  it('accepts 32 bytes as hex or base64', () => {
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(loadConfig({ PERPETUA_ENCRYPTION_KEY: key.toString('base64') }).encryptionKey).toEqual(key);
  });

  it('refuses a key of the wrong length with a message that says how to make one', () => {
    expect(() => loadConfig({ PERPETUA_ENCRYPTION_KEY: crypto.randomBytes(16).toString('base64') }))
      .toThrow('PERPETUA_ENCRYPTION_KEY must be 32 bytes as 64 hex digits or base64 (got 16 bytes)');
    expect(() => parseEncryptionKey('not a key!')).toThrow('openssl rand -base64 32');
  });

  it('is optional until a connection is used, and Xero URLs have overridable defaults', () => {
    const config = loadConfig({});
    expect(config.encryptionKey).toBeUndefined();
    expect(config.xero).toMatchObject({ apiUrl: 'https://api.xero.com/api.xro/2.0', identityUrl: 'https://identity.xero.com' });
    expect(loadConfig({ XERO_API_URL: 'http://xero.test/api.xro/2.0/', XERO_IDENTITY_URL: 'http://identity.test' }).xero)
      .toMatchObject({ apiUrl: 'http://xero.test/api.xro/2.0', identityUrl: 'http://identity.test' });
  });
});
