import { loadDotEnv } from '@kirim/platform';
import { runCli } from './cli';

loadDotEnv();

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Exit as soon as the event loop drains; if a connection lingers, do not hang the caller.
  setTimeout(() => process.exit(code), 2000).unref();
});
