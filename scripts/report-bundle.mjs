// The one esbuild configuration of the report's browser bundle (used by npm run build and by
// vitest's global setup).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleReportScript() {
  await build({
    entryPoints: [join(root, 'report/main.ts')],
    outfile: join(root, 'build/report/report.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'warning',
  });
}
