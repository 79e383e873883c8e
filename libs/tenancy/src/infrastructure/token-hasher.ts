import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { randomToken } from '@kirim/platform';

/**
 * argon2id (the @node-rs/argon2 default: m=19 MiB, t=2, p=1) for setup-link tokens. `verify` compares
 * in constant time; {@link findMatch} also spends one verification when nothing matched the prefix, so
 * an unknown token costs about as much as a known one.
 */
@Injectable()
export class TokenHasher {
  private decoy: Promise<string> | undefined;

  hash(token: string): Promise<string> {
    return hash(token);
  }

  async findMatch<T extends { tokenHash: string }>(candidates: readonly T[], token: string): Promise<T | undefined> {
    if (candidates.length === 0) {
      this.decoy ??= hash(randomToken(18));
      await verify(await this.decoy, token);
      return undefined;
    }
    for (const candidate of candidates) {
      if (await verify(candidate.tokenHash, token)) return candidate;
    }
    return undefined;
  }
}
