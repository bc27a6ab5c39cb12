/**
 * For tests that call the CLI in-process (`main(argv)`): a fresh temp directory, and the CLI's
 * stderr captured (stdout silenced) for the whole file. `cap.err` accumulates; set it to '' to
 * start over.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, vi } from 'vitest';

export function captureCli(prefix: string): { dir: string; err: string } {
  const cap = { dir: mkdtempSync(join(tmpdir(), prefix)), err: '' };
  beforeAll(() => {
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((cap.err += String(s)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterAll(() => {
    vi.restoreAllMocks();
    rmSync(cap.dir, { recursive: true, force: true });
  });
  return cap;
}
