/** Files written by the CLI: atomically (temp file + rename), so a reader never sees half a file. */
import { mkdirSync, renameSync, writeFileSync, appendFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Appends whole lines with one write each and syncs, so a crash leaves no partial line behind a finished one. */
export function appendLines(path: string, lines: string[]): void {
  if (lines.length === 0) return;
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, lines.map((l) => `${l}\n`).join(''));
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}
