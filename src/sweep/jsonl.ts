/**
 * JSON-lines files read in constant memory: lines with their byte offsets, a torn final line (a
 * crash in the middle of an append) detected and cut off. Only the final line can be torn: lines
 * are appended one write at a time and the file is never rewritten in place.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, truncateSync } from 'node:fs';

export { readLines, type Line } from '../io/lines.ts';

/** Bytes after the last newline (a torn final line), 0 when the file ends cleanly or is missing. */
export function tornTailBytes(path: string): { size: number; keep: number } {
  if (!existsSync(path)) return { size: 0, keep: 0 };
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const n = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(10);
      if (nl >= 0) return { size, keep: start + nl + 1 };
      end = start;
    }
    return { size, keep: 0 };
  } finally {
    closeSync(fd);
  }
}

/** Cuts a torn final line off; returns how many bytes were removed. */
export function truncateTornTail(path: string): number {
  const { size, keep } = tornTailBytes(path);
  if (keep < size) truncateSync(path, keep);
  return size - keep;
}

/** Reads `bytes` bytes at `offset` of an open file as text. */
export function readAt(fd: number, offset: number, bytes: number): string {
  const buf = Buffer.allocUnsafe(bytes);
  let got = 0;
  while (got < bytes) {
    const n = readSync(fd, buf, got, bytes - got, offset + got);
    if (n === 0) throw new Error(`unexpected end of file at byte ${offset + got}`);
    got += n;
  }
  return buf.toString('utf8');
}
