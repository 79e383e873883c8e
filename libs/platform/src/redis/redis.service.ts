import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config';

/**
 * The process's Redis client for rate limits and caches. Every key goes through `key()` so that
 * REDIS_PREFIX isolates deployments and test files sharing one Redis. Commands fail fast (no endless
 * retry) so a Redis outage becomes a 503, not a hung request.
 */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.REDIS_PREFIX;
    this.client = new Redis(config.REDIS_URL, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      connectTimeout: 2000,
      // Connects on the first command: an instance that is never used (a module that failed to start) holds no socket.
      lazyConnect: true,
      // Commands issued in the same tick (the rate-limit tokens of concurrent requests) leave in one write:
      // a socket write costs more here than the command.
      enableAutoPipelining: true,
    });
    this.client.on('error', () => undefined); // surfaced per command; avoid unhandled 'error' events
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async onModuleDestroy(): Promise<void> {
    if (this.client.status !== 'ready') {
      this.client.disconnect(); // not connected: don't wait for a reconnect attempt
      return;
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
