/**
 * JSON-lines files read in constant memory: lines with their byte offsets, a torn final line (a
 * crash in the middle of an append) detected and cut off. Only the final line can be torn: lines
 * are appended one write at a time and the file is never rewritten in place.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, truncateSync } from 'node:fs';

export interface Line {
  text: string;
  /** Byte offset of the line's first byte, and its length in bytes (without the newline). */
  offset: number;
  bytes: number;
  /** 1-based line number. */
  lineNo: number;
}

const CHUNK = 1 << 20;

/** Every complete (newline-terminated) line of a file; a final fragment with no newline is left out. */
export function* readLines(path: string): Generator<Line> {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer[] = [];
    let pendingStart = 0;
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
        start = nl + 1;
      }
      if (start < n) {
        if (pending.length === 0) pendingStart = pos + start;
        pending.push(Buffer.from(buf.subarray(start, n)));
      }
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}

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
