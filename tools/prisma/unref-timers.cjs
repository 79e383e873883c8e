// Preloaded into the Prisma 6 migrate CLI: the pg pool and the wasm engine each keep a 10 s timer alive
// after the work is done; unref long timers so the process exits as soon as it has finished.
const original = global.setTimeout;
global.setTimeout = function patchedSetTimeout(fn, ms, ...args) {
  const timer = original(fn, ms, ...args);
  if (ms >= 10000 && timer && typeof timer.unref === 'function') timer.unref();
  return timer;
};
