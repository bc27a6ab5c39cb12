#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run as they are (Node 20 has no type
// stripping), then hands over to the CLI. Worker threads get the same loader via execArgv.
//
// Until a command installs its own handler, SIGINT / SIGTERM exit 130 / 143 at once (also during
// start-up, before the CLI is loaded); src/cli/main.ts keeps this guard (globalThis flag below).
globalThis.__drainlabSignalGuard = true;
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(sig, () => {
    if (process.listenerCount(sig) > 1) return; // a command handles it
    process.stderr.write(`\ndrainlab: ${sig}\n`);
    process.exit(code);
  });
}
import('tsx/esm/api').then(async ({ register }) => {
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
});
