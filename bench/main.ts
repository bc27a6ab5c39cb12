/**
 * Runs the bench without the CLI: `node --import tsx bench/main.ts [--quick] [--json FILE|-]
 * [--save-baseline NAME] [--baseline NAME|FILE] [--suite NAME]...` (`drainlab bench` takes the
 * same flags).
 */
import { parseArgs } from 'node:util';
import { benchCommand } from './command.ts';

const options = {
  quick: { type: 'boolean' },
  json: { type: 'string' },
  'save-baseline': { type: 'string' },
  baseline: { type: 'string' },
  suite: { type: 'string', multiple: true },
} as const;

let values: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
try {
  ({ values } = parseArgs({ options, strict: true }));
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(2);
}

process.exitCode = await benchCommand({
  quick: values.quick,
  json: values.json,
  saveBaseline: values['save-baseline'],
  baseline: values.baseline,
  suites: values.suite,
});
