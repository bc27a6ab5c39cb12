// Bundles the worker entry points into plain JavaScript (build/workers/*.mjs) so worker threads
// start without tsx (src/parallel/worker-entry.ts uses a bundle only while it is fresh).
import { build } from 'esbuild';

await build({
  entryPoints: ['cell-worker', 'shard-worker', 'strategy-worker'].map((n) => `src/parallel/${n}.ts`),
  outdir: 'build/workers',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
console.error('built build/workers/{cell,shard,strategy}-worker.mjs');
