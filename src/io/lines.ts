/**
 * Lines of a (possibly huge) text file, read in 1 MiB chunks: constant memory in the file's size,
 * bounded by the longest line, which is itself limited (a file with no newline, or one absurd line,
 * is an error naming the file and line, not an unbounded buffer).
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors.ts';

export interface Line {
  text: string;
  /** Byte offset of the line's first byte, and its length in bytes (without the newline). */
  offset: number;
  bytes: number;
  /** 1-based line number. */
  lineNo: number;
}

const CHUNK = 1 << 20;
/** The longest line read (bytes); a cells.jsonl line is a few KiB to a few MiB. */
export const MAX_LINE_BYTES = 256 * 2 ** 20;

/** Every complete (newline-terminated) line of a file; a final fragment with no newline is left out. */
export function* readLines(path: string, maxLineBytes = MAX_LINE_BYTES): Generator<Line> {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer[] = [];
    let pendingStart = 0;
    let pendingBytes = 0;
    let pos = 0;
    let lineNo = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) break;
      let start = 0;
      for (let nl = buf.indexOf(10, 0); nl >= 0 && nl < n; nl = buf.indexOf(10, start)) {
        const piece = buf.subarray(start, nl);
        const whole = pending.length ? Buffer.concat([...pending, piece]) : piece;
        const offset = pending.length ? pendingStart : pos + start;
        yield { text: whole.toString('utf8'), offset, bytes: whole.length, lineNo: ++lineNo };
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
      }
      if (start < n) {
        if (pending.length === 0) pendingStart = pos + start;
        pending.push(Buffer.from(buf.subarray(start, n)));
        pendingBytes += n - start;
        if (pendingBytes > maxLineBytes) throw new UsageError(`${path}:${lineNo + 1}: a line longer than ${maxLineBytes / 2 ** 20} MiB; not a drainlab results file`);
      }
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}

