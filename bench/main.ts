/**
 * Runs the bench without the CLI: `node --import tsx bench/main.ts [--quick] [--json FILE|-]
 * [--save-baseline NAME] [--baseline NAME|FILE] [--suite NAME]... [--repeats N]` (`drainlab bench` takes the
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
  repeats: { type: 'string' },
} as const;

let values: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
try {
  ({ values } = parseArgs({ options, strict: true }));
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(2);
}

const repeats = values.repeats === undefined ? undefined : Number(values.repeats);
if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1 && repeats <= 1000)) {
  process.stderr.write(`bench: --repeats: got ${JSON.stringify(values.repeats)}; allowed: an integer in 1..1000\n`);
  process.exit(2);
}

process.exitCode = await benchCommand({
  quick: values.quick,
  json: values.json,
  saveBaseline: values['save-baseline'],
  baseline: values.baseline,
  suites: values.suite,
  repeats,
});
