// Bundles the worker entry points into plain JavaScript (build/workers/*.cjs) so worker threads
// start without tsx (src/io/worker-entry.ts uses a bundle only while it is fresh).
//
// Why CommonJS: piscina loads a worker file with require() first. On an ES module that is
// Node's require(esm), which on Node 20.20 can race with the ESM loader when loader hooks are
// active (vitest's) and abort the whole process: "FATAL ERROR: v8::Module::IsGraphAsync must be
// used on an instantiated module" (nodejs/node#55782). A CommonJS bundle never enters the ESM
// loader. import.meta.url becomes the bundle's own file URL.
import { build } from 'esbuild';

await build({
  entryPoints: { 'cell-worker': 'src/pool/cell-worker.ts', 'shard-worker': 'src/shard/worker.ts', 'strategy-worker': 'src/pool/strategy-worker.ts' },
  outdir: 'build/workers',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__bundleUrl' },
  logLevel: 'warning',
});
console.error('built build/workers/{cell,shard,strategy}-worker.cjs');
