/**
 * Builds what the tests run out of process (the worker bundles, the CLI bundle, the WASM core)
 * before any test starts; a no-op when nothing changed (scripts/build.mjs compares content stamps).
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
}
