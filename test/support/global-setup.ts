// Once per test run: bundle the report's browser code, so the report tests draw with the sources
// as they are now (build/report/report.js is otherwise made by npm run build).
// @ts-expect-error a plain .mjs build script without types
import { bundleReportScript } from '../../scripts/report-bundle.mjs';

export default async function setup(): Promise<void> {
  await (bundleReportScript as () => Promise<void>)();
}
