#!/usr/bin/env node
// Builds what drainlab runs, and only what changed since the last build:
//   build/core.wasm, build/core.debug.wasm   the AssemblyScript core (asc, release and debug)
//   build/js/main.js (+ chunks)             the CLI, one ESM bundle; bench/ stays a lazily loaded chunk
//   build/workers/*.cjs                     the worker threads' entries, CommonJS bundles
//   build/public/{strategy,record}.*        with --public only (npm's prepare, so `npm install`
//                                           and `npm pack`): the package's `exports`
//                                           drainlab/strategy and drainlab/record, ESM + CJS, with
//                                           their declarations (.d.ts / .d.cts, one file each,
//                                           dts-bundle-generator: ~40 s, hence not in every build)
// Each output group carries a stamp (build/<group>.stamp): the sha256 of its inputs' contents.
// A group whose stamp matches is not rebuilt, so a second `npm start` costs ~0.1 s, and no
// file dates are consulted.
//
// Why the workers are CommonJS: piscina loads a worker file with require() first. On an ES module
// that is Node's require(esm), which on Node 20.20 can race with the ESM loader when loader hooks
// are active (vitest's) and abort the whole process: "FATAL ERROR: v8::Module::IsGraphAsync must
// be used on an instantiated module" (nodejs/node#55782). A CommonJS bundle never enters the ESM
// loader.
//
// Usage: node scripts/build.mjs [--force] [--quiet] [--public]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const force = process.argv.includes('--force');
const quiet = process.argv.includes('--quiet');
const publicApi = process.argv.includes('--public');
const log = (s) => quiet || process.stderr.write(`build: ${s}\n`);

function walk(dir, keep) {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p, keep) : keep(e.name) ? [p] : [];
  });
}

function digest(files) {
  const h = createHash('sha256');
  for (const f of [...files].sort()) h.update(f).update('\0').update(readFileSync(join(ROOT, f))).update('\0');
  return h.digest('hex');
}

/** Runs `build` unless every output exists and the stamp of `inputs` is unchanged. */
async function group(name, inputs, outputs, build) {
  const stampFile = join(ROOT, 'build', `${name}.stamp`);
  const stamp = digest(inputs);
  const fresh = !force && outputs.every((o) => existsSync(join(ROOT, o))) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (fresh) return log(`${name}: up to date`);
  const t0 = performance.now();
  rmSync(stampFile, { force: true }); // a failed build must not leave a stamp that says otherwise
  await build();
  writeFileSync(stampFile, stamp);
  log(`${name}: built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

mkdirSync(join(ROOT, 'build'), { recursive: true });
const ts = (n) => n.endsWith('.ts');
const asc = join(ROOT, 'node_modules', '.bin', 'asc');

await group('core', [...walk('assembly', ts), 'asconfig.json', 'node_modules/assemblyscript/package.json'], ['build/core.wasm', 'build/core.debug.wasm'], async () => {
  for (const target of ['release', 'debug']) execFileSync(asc, ['--config', 'asconfig.json', '--target', target], { cwd: ROOT, stdio: 'inherit' });
});

const jsInputs = [...walk('src', ts), ...walk('bench', ts), 'package.json', 'scripts/build.mjs'];
const { build } = await import('esbuild');
// zod and commander are bundled in: parsing one file is cheaper than resolving and compiling
// zod's ~100 modules at every start (~60 ms). The rest stay external (loaded when used).
const external = ['piscina', 'esbuild', 'tinybench', 'uplot', 'playwright-core', 'cli-progress', 'assemblyscript', 'fast-check', 'vitest'];
const common = { bundle: true, external, platform: 'node', target: 'node20', logLevel: 'warning', absWorkingDir: ROOT };

/**
 * Writes a build's files so that a CLI running while it rebuilds never sees half of one: each file
 * goes to a temporary name and is renamed into place, entry points last; chunks of older builds
 * stay an hour (a running CLI loads its commands' chunks lazily, by the names its main.js has).
 */
function writeOutputs(outputFiles, chunkDir) {
  const mine = new Set(outputFiles.map((f) => f.path));
  const entriesLast = [...outputFiles].sort((a, b) => Number(!a.path.includes('/chunks/')) - Number(!b.path.includes('/chunks/')));
  for (const f of entriesLast) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  if (chunkDir && existsSync(chunkDir)) {
    for (const n of readdirSync(chunkDir)) {
      const p = join(chunkDir, n);
      if (!mine.has(p) && Date.now() - statSync(p).mtimeMs > 3600_000) rmSync(p, { force: true });
    }
  }
}

await group('cli', jsInputs, ['build/js/main.js'], async () => {
  const r = await build({ ...common, entryPoints: { main: 'src/cli/main.ts' }, outdir: 'build/js', format: 'esm', splitting: true, chunkNames: 'chunks/[name]-[hash]', write: false,
    // commander is CommonJS and require()s node builtins; an ES module bundle needs a require.
    banner: { js: "import { createRequire as __drainlabRequire } from 'node:module'; const require = __drainlabRequire(import.meta.url);" },
  });
  writeOutputs(r.outputFiles, join(ROOT, 'build', 'js', 'chunks'));
});

await group('workers', jsInputs, ['cell-worker', 'shard-worker', 'strategy-worker'].map((n) => `build/workers/${n}.cjs`), async () => {
  const r = await build({
    ...common,
    entryPoints: { 'cell-worker': 'src/pool/cell-worker.ts', 'shard-worker': 'src/shard/worker.ts', 'strategy-worker': 'src/pool/strategy-worker.ts' },
    outdir: 'build/workers',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // import.meta.url is the bundle's own file URL (src/io/paths.ts walks up from it to the package root).
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__bundleUrl' },
    write: false,
  });
  writeOutputs(r.outputFiles);
});

// The package's public entry points (package.json `exports`). The CLI does not use these files: a
// user strategy run by drainlab gets the running drainlab's API (src/strategies/plugin.ts); they
// are what Node and TypeScript resolve `drainlab/strategy` and `drainlab/record` to for a project
// that installs drainlab.
const PUBLIC = { strategy: 'src/strategies/api.ts', record: 'src/metrics/public-record.ts' };
if (publicApi) {
  const outs = Object.keys(PUBLIC).flatMap((n) => ['.js', '.cjs', '.d.ts', '.d.cts'].map((e) => `build/public/${n}${e}`));
  await group('public', [...jsInputs, 'scripts/tsconfig.public.json', 'node_modules/dts-bundle-generator/package.json'], outs, async () => {
    rmSync(join(ROOT, 'build', 'public'), { recursive: true, force: true });
    for (const format of ['esm', 'cjs']) {
      await build({ ...common, entryPoints: PUBLIC, outdir: 'build/public', format, outExtension: { '.js': format === 'esm' ? '.js' : '.cjs' },
        ...(format === 'cjs' ? { banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" }, define: { 'import.meta.url': '__bundleUrl' } } : {}) });
    }
    const config = join(ROOT, 'build', 'public', 'dts.json');
    writeFileSync(config, JSON.stringify({
      compilationOptions: { preferredConfigPath: join(ROOT, 'scripts/tsconfig.public.json') },
      entries: Object.entries(PUBLIC).map(([n, f]) => ({ filePath: join(ROOT, f), outFile: join(ROOT, 'build/public', `${n}.d.ts`), noCheck: true, output: { exportReferencedTypes: false } })),
    }));
    execFileSync(join(ROOT, 'node_modules', '.bin', 'dts-bundle-generator'), ['--silent', '--config', config], { cwd: ROOT, stdio: 'inherit' });
    rmSync(config);
    for (const n of Object.keys(PUBLIC)) writeFileSync(join(ROOT, 'build/public', `${n}.d.cts`), readFileSync(join(ROOT, 'build/public', `${n}.d.ts`)));
  });
}

// The report's browser code: report/*.ts (typed ES modules sharing src/io/format.ts with the Node
// side), one script that src/report/render.ts inlines into every HTML report.
const { bundleReportScript } = await import('./report-bundle.mjs');
await group('report', [...walk('report', ts), ...walk('src', ts), 'scripts/report-bundle.mjs'], ['build/report/report.js'], bundleReportScript);
