import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { decrypt, deriveKey, encrypt, hmacSha256, safeEqual } from './crypto';

export type KeyPurpose = 'api-key' | 'cursor' | 'idempotency' | 'setup-link';

/**
 * Secrets at rest: `seal`/`open` encrypt with ENCRYPTION_KEY (AES-256-GCM); `keyedHash` and `sign`
 * use per-purpose keys derived from KEY_PEPPER, so an API-key hash can never double as a cursor signature.
 */
@Injectable()
export class CryptoService {
  private readonly encryptionKey: Buffer;
  private readonly pepper: Buffer;
  private readonly derived = new Map<KeyPurpose, Buffer>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.encryptionKey = Buffer.from(config.ENCRYPTION_KEY, 'base64');
    this.pepper = Buffer.from(config.KEY_PEPPER, 'base64');
  }

  seal(plaintext: string): string {
    return encrypt(plaintext, this.encryptionKey);
  }

  open(sealed: string): string {
    return decrypt(sealed, this.encryptionKey);
  }

  /** Hex HMAC-SHA256 for look-ups by equality (API-key hashes). */
  keyedHash(purpose: KeyPurpose, value: string): string {
    return hmacSha256(this.key(purpose), value).toString('hex');
  }

  /** base64url HMAC-SHA256 signature (cursors). */
  sign(purpose: KeyPurpose, value: string): string {
    return hmacSha256(this.key(purpose), value).toString('base64url');
  }

  verify(purpose: KeyPurpose, value: string, signature: string): boolean {
    return safeEqual(this.sign(purpose, value), signature);
  }

  private key(purpose: KeyPurpose): Buffer {
    let key = this.derived.get(purpose);
    if (!key) {
      key = deriveKey(this.pepper, purpose);
      this.derived.set(purpose, key);
    }
    return key;
  }
}
