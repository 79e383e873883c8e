import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import type { PrismaService } from '../persistence/prisma.service';

type Hook = () => Promise<unknown>;

/** The work a transaction defers until it has committed (enqueues, mostly). One list per outermost transaction. */
const pending = new AsyncLocalStorage<Hook[]>();
const logger = new Logger('AfterCommit');

/**
 * How long a committed transaction waits for its deferred work before its caller goes on. A job whose
 * enqueue takes longer (Redis down) is left to finish in the background or, if it is lost, to the
 * owning context's sweep, which finds durable work by its rows in PostgreSQL.
 */
export const AFTER_COMMIT_WAIT_MS = 2_000;

/** True inside a transaction (then {@link afterCommit} defers; outside it runs at once). */
export function inCommitScope(): boolean {
  return pending.getStore() !== undefined;
}

/**
 * Runs `hook` after the outermost transaction around the caller commits, never when it rolls back; outside
 * a transaction at once. A failing hook is logged, never thrown: the transaction has committed already.
 */
export async function afterCommit(hook: Hook): Promise<void> {
  const hooks = pending.getStore();
  if (hooks) {
    hooks.push(hook);
    return;
  }
  await hook();
}

async function flush(hooks: Hook[]): Promise<void> {
  if (hooks.length === 0) return;
  const all = Promise.all(
    hooks.map((hook) =>
      hook().catch((error: unknown) => {
        logger.error({ err: error }, 'work deferred to after commit failed; the sweep of its context recovers it');
      }),
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger.warn({ hooks: hooks.length, waitedMs: AFTER_COMMIT_WAIT_MS }, 'work deferred to after commit is slow; not waiting longer');
      resolve();
    }, AFTER_COMMIT_WAIT_MS);
    timer.unref();
  });
  await Promise.race([all, late]);
  clearTimeout(timer);
}

/**
 * The Prisma adapter of the CLS transactions, plus after-commit hooks: every outermost transaction (the
 * `@Transactional()` methods and `Database.transaction`, the idempotency interceptor's included) collects
 * what {@link afterCommit} defers and runs it once `$transaction` has committed. Nested `@Transactional()`
 * calls join the outer transaction (propagation `Required`) and so defer to its commit.
 */
export class TransactionalAdapterPrismaAfterCommit extends TransactionalAdapterPrisma<PrismaService> {
  constructor(options: ConstructorParameters<typeof TransactionalAdapterPrisma<PrismaService>>[0]) {
    super(options);
    const base = this.optionsFactory;
    this.optionsFactory = (prisma) => {
      const options = base(prisma);
      return {
        ...options,
        wrapWithTransaction: async (txOptions, fn, setClient) => {
          const hooks: Hook[] = [];
          const result = await pending.run(hooks, () => options.wrapWithTransaction(txOptions, fn, setClient));
          await flush(hooks);
          return result;
        },
      };
    };
  }
}
