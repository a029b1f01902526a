import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { DestinationDefinition } from '../connector.js';

const VERSION = 'v1';
export const REDACTED = '[redacted]';

/**
 * AES-256-GCM for destination secrets at rest. The key comes from `SEXTANT_SECRET_KEY`: 64 hex chars
 * are used as the 32 key bytes; any other string of 32+ characters is hashed (SHA-256) into the key.
 * A sealed value is `v1.<iv>.<ciphertext>.<tag>` (base64url), with `aad` (the destination id) bound
 * in, so a sealed token cannot be pasted onto another destination.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (secretKey.length < 32) throw new Error('SEXTANT_SECRET_KEY must be at least 32 characters');
    this.key = /^[0-9a-fA-F]{64}$/.test(secretKey) ? Buffer.from(secretKey, 'hex') : createHash('sha256').update(secretKey, 'utf8').digest();
  }

  seal(plaintext: string, aad = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, aad = ''): string {
    const [v, iv, ct, tag] = sealed.split('.');
    if (v !== VERSION || !iv || ct === undefined || !tag) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('secret could not be decrypted (wrong SEXTANT_SECRET_KEY or tampered value)');
    }
  }
}

/** Settings as stored: the secret fields replaced by one sealed blob. */
export interface StoredSettings {
  settings: Record<string, unknown>;
  sealedSecrets: string;
}

export function sealSettings(definition: DestinationDefinition, settings: Record<string, unknown>, box: SecretBox, destinationId: string): StoredSettings {
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) (definition.secretFields.includes(k) ? secrets : plain)[k] = v;
  return { settings: plain, sealedSecrets: box.seal(JSON.stringify(secrets), destinationId) };
}

export function openSettings(stored: StoredSettings, box: SecretBox, destinationId: string): Record<string, unknown> {
  return { ...stored.settings, ...(JSON.parse(box.open(stored.sealedSecrets, destinationId)) as Record<string, unknown>) };
}

/** What the API may return: secret fields shown as `[redacted]` when set. */
export function redactSettings(definition: DestinationDefinition, settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, definition.secretFields.includes(k) && v !== undefined ? REDACTED : v]));
}
