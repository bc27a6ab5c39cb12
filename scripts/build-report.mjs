// Bundles the report's browser code (report/*.ts, typed ES modules sharing src/io/format.ts with
// the Node side) into one script, build/report/report.js, that src/report/render.ts inlines into
// every HTML report.
import { bundleReportScript } from './report-bundle.mjs';

await bundleReportScript();
console.error('built build/report/report.js');
