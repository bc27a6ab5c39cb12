// The recorded probe run the calibrate tests read (a real run on a 6.18 kernel at HZ=250).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));
/** The newest probe-6.18-hz250-<date>.jsonl fixture. */
export const FIXTURE = join(dir, readdirSync(dir).filter((f) => /^probe-6\.18-hz250-.*\.jsonl$/.test(f)).sort().at(-1)!);
export const fixtureText = (): string => readFileSync(FIXTURE, 'utf8');
