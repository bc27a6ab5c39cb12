#!/usr/bin/env node
// Entry point: runs the compiled CLI (build/js/main.js, written by `npm run build`, which
// `npm install` and `npm start` run). Plain node: no TypeScript loader at run time.
import { existsSync } from 'node:fs';

const main = new URL('../build/js/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('drainlab: not built yet (build/js/main.js is missing); run `npm run build` in the drainlab directory\n');
  process.exit(2);
}
process.exitCode = await (await import(main.href)).main(process.argv.slice(2));
