/**
 * Every file the CLI reads or writes goes through here.
 *
 * Writing: `writeAtomic` is THE atomic writer: a temporary file in the target's own directory,
 * written in full, fsynced, renamed over the target (and the directory fsynced), so a reader sees
 * the old content or the new, never a torn file. On any failure the temporary file is removed and
 * the error becomes a UsageError naming the flag and the path (exit 2): an unwritable output is the
 * user's to fix (EISDIR, EEXIST, ENAMETOOLONG, EACCES, ENOENT, ENOSPC, EFBIG, a path under /proc).
 * `appendLines` is the one appender (sweep cells.jsonl, failed.jsonl).
 *
 * Reading: `readInputText` reads only regular files (symlinks are resolved and the target checked;
 * FIFOs, devices, sockets and directories are refused before they are opened), up to a size limit,
 * so no input can make a command block or grow without bound. `parseJsonInput` adds a nesting
 * depth limit, so no recursion over user JSON can overflow the stack.
 */
import {
  closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';

/** Default size limit of a JSON input document (scenario, sweep, calibration, manifest, probe output), MiB. */
export const DEFAULT_INPUT_MIB = 64;
/** Raise the input size limit deliberately: DRAINLAB_MAX_INPUT_MB=N (MiB). */
export const INPUT_LIMIT_ENV = 'DRAINLAB_MAX_INPUT_MB';
/** Nesting limit of user JSON (objects and arrays inside each other). */
export const MAX_JSON_DEPTH = 64;

export function inputLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const v = env[INPUT_LIMIT_ENV];
  if (v === undefined || v === '') return DEFAULT_INPUT_MIB * 2 ** 20;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new UsageError(`${INPUT_LIMIT_ENV}: got ${JSON.stringify(v)}; allowed: an integer number of MiB in 1..1000000`);
  return n * 2 ** 20;
}

const WHY: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'a file is in the way',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  EIO: 'input/output error',
  EINVAL: 'invalid path for this file system',
  EXDEV: 'cannot rename across file systems',
  EMFILE: 'too many open files',
  EBUSY: 'busy',
};

/** The reason of a file-system error in words (errno code kept). */
export function fsWhy(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && WHY[code]) return `${WHY[code]} (${code})`;
  return code ? `${(e as Error).message}` : String((e as Error)?.message ?? e);
}

const isFsError = (e: unknown): boolean => typeof (e as NodeJS.ErrnoException)?.code === 'string' && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!);

/** A file-system error while writing `path` for `flag`, as the user-facing error. Other errors pass through. */
export function writeError(flag: string, path: string, e: unknown): Error {
  if (e instanceof UsageError) return e;
  if (isFsError(e)) return new UsageError(`${flag} ${path}: cannot write: ${fsWhy(e)}`);
  return e as Error;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Temporary files not yet renamed or removed: removed at exit, whatever ends the process. */
const liveTemps = new Set<string>();
let exitHookInstalled = false;
function track(tmp: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const t of liveTemps) {
        try {
          unlinkSync(t);
        } catch {
          /* already gone */
        }
      }
    });
  }
  liveTemps.add(tmp);
}

const MAX_PATH_DEPTH = 128;

/**
 * Creates a directory and its missing parents, one level at a time (bounded: never loops, even
 * where the kernel answers mkdir strangely, as under /proc). Errors are UsageErrors naming `flag`.
 */
export function ensureDir(dir: string, flag: string): string[] {
  const missing: string[] = [];
  let d = resolve(dir);
  for (let i = 0; ; i++) {
    if (i > MAX_PATH_DEPTH) throw new UsageError(`${flag} ${dir}: more than ${MAX_PATH_DEPTH} directory levels to create`);
    let st: Stats | undefined;
    try {
      st = statSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw writeError(flag, dir, e);
    }
    if (st) {
      if (!st.isDirectory()) throw new UsageError(`${flag} ${dir}: cannot write: ${d} is not a directory`);
      break;
    }
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  const created: string[] = [];
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
      created.push(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && safeIsDir(m)) continue;
      removeDirs(created);
      throw writeError(flag, dir, e);
    }
  }
  return created;
}

/** Removes directories this process created (deepest first), if they are still empty. */
export function removeDirs(created: string[]): void {
  for (const d of [...created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      /* not empty, or gone */
    }
  }
}

function safeIsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

let tmpCounter = 0;
/** A temporary name in `path`'s own directory (so the rename is atomic). */
export function tempPathFor(path: string): string {
  const base = basename(path).slice(0, 120);
  return join(dirname(path), `.${base}.${process.pid}.${tmpCounter++}.tmp`);
}

function writeAllSync(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some file systems refuse to fsync a directory; the rename is still atomic */
  }
}

/**
 * THE atomic writer: `data` (or the chunks `data` yields, for outputs too large for one string)
 * lands at `path` completely or not at all. `flag` names the option the path came from, for errors.
 */
export function writeAtomic(path: string, data: string | Uint8Array | Iterable<string | Uint8Array>, flag = '--out'): void {
  if (path === '' || path.endsWith('/')) throw new UsageError(`${flag} ${JSON.stringify(path)}: give a file name`);
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${flag} ${path}: cannot write: is a directory (EISDIR); give a file name`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw writeError(flag, path, e);
  }
  if (Buffer.byteLength(basename(path)) > 255) throw new UsageError(`${flag} ${path}: cannot write: name too long (ENAMETOOLONG)`);
  const created = ensureDir(dirname(path), flag);
  const tmp = tempPathFor(path);
  let fd = -1;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    track(tmp);
    if (typeof data === 'string' || data instanceof Uint8Array) writeAllSync(fd, data);
    else for (const chunk of data) writeAllSync(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
    liveTemps.delete(tmp);
  } catch (e) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        /* closing is best effort on the error path */
      }
    }
    removeTemp(tmp);
    removeDirs(created);
    throw writeError(flag, path, e);
  }
  fsyncDir(dirname(path));
}

/** Removes a temporary file (no error if it is gone). */
export function removeTemp(tmp: string): void {
  try {
    unlinkSync(tmp);
  } catch {
    /* not there */
  }
  liveTemps.delete(tmp);
}

/**
 * A writer that streams into a temporary file and renames it over `path` on `commit()`; `abort()`
 * (or process exit before commit) removes it. For outputs built chunk by chunk (merge).
 */
export class AtomicFile {
  readonly tmp: string;
  private fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly created: string[];
  constructor(readonly path: string, readonly flag = '--out') {
    if (Buffer.byteLength(basename(path)) > 255) throw new UsageError(`${flag} ${path}: cannot write: name too long (ENAMETOOLONG)`);
    this.created = ensureDir(dirname(path), flag);
    this.tmp = tempPathFor(path);
    try {
      this.fd = openSync(this.tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (e) {
      removeDirs(this.created);
      throw writeError(flag, path, e);
    }
    track(this.tmp);
  }
  write(text: string): void {
    const b = Buffer.from(text, 'utf8');
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= 4 << 20) this.flush();
  }
  private flush(): void {
    if (this.pending.length === 0) return;
    try {
      writeAllSync(this.fd, Buffer.concat(this.pending));
    } catch (e) {
      this.abort();
      throw writeError(this.flag, this.path, e);
    }
    this.pending = [];
    this.pendingBytes = 0;
  }
  commit(): void {
    this.flush();
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      renameSync(this.tmp, this.path);
      liveTemps.delete(this.tmp);
    } catch (e) {
      this.abort();
      throw writeError(this.flag, this.path, e);
    }
    fsyncDir(dirname(this.path));
  }
  abort(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        /* best effort */
      }
      this.fd = -1;
    }
    removeTemp(this.tmp);
    removeDirs(this.created);
  }
}

/**
 * A scratch file for intermediate data (merge's sorted runs), created in an existing directory
 * (an output's staging directory, so it shares the output's file system and its clean-up):
 * exclusive create, never renamed, removed by `remove()` or at process exit whatever ends it.
 * Write errors are UsageErrors naming `flag` (a full disk is the user's to fix).
 */
export class ScratchFile {
  readonly path: string;
  private fd = -1;
  constructor(dir: string, name: string, readonly flag = '--out') {
    this.path = tempPathFor(join(dir, name));
    try {
      this.fd = openSync(this.path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (e) {
      throw writeError(flag, this.path, e);
    }
    track(this.path);
  }
  append(data: Uint8Array): void {
    try {
      writeAllSync(this.fd, data);
    } catch (e) {
      throw writeError(this.flag, this.path, e);
    }
  }
  /** Reads up to buf.length bytes at `position`; returns the count (0 at the end). */
  readAt(buf: Uint8Array, position: number): number {
    return readSync(this.fd, buf, 0, buf.length, position);
  }
  remove(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        /* best effort */
      }
      this.fd = -1;
    }
    removeTemp(this.path);
  }
}

/** Appends whole lines with one write each and syncs, so a crash leaves no partial line behind a finished one. */
export function appendLines(path: string, lines: string[], flag = '--out'): void {
  if (lines.length === 0) return;
  ensureDir(dirname(path), flag);
  let fd = -1;
  try {
    fd = openSync(path, 'a');
    writeAllSync(fd, lines.map((l) => `${l}\n`).join(''));
    fsyncSync(fd);
  } catch (e) {
    throw writeError(flag, path, e);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface InputOptions {
  /** Size limit in bytes (default: inputLimitBytes()). */
  limit?: number;
}

/**
 * Checks that `path` names a regular file (after resolving symlinks) and returns its real path and
 * size. FIFOs, devices, sockets and directories are refused without opening them (a FIFO would
 * block, /dev/zero never ends).
 */
export function checkInputFile(path: string, flag: string, opts: InputOptions = {}): { real: string; size: number } {
  if (typeof path !== 'string' || path === '') throw new UsageError(`${flag}: give a file name (got an empty one)`);
  let real: string;
  let st: Stats;
  try {
    lstatSync(path);
    real = realpathSync(path);
    st = statSync(real);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${path}: ${fsWhy(e)}`);
  }
  if (!st.isFile()) {
    const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
    throw new UsageError(`${flag}: cannot read ${path}${real !== resolve(path) ? ` (-> ${real})` : ''}: ${kind}; give a regular file`);
  }
  const limit = opts.limit ?? inputLimitBytes();
  if (st.size > limit) {
    throw new UsageError(`${flag}: ${path} is ${(st.size / 2 ** 20).toFixed(1)} MiB; the limit is ${(limit / 2 ** 20).toFixed(0)} MiB (raise it deliberately with ${INPUT_LIMIT_ENV}=N)`);
  }
  return { real, size: st.size };
}

/** Reads a regular file as UTF-8 text, refusing what checkInputFile refuses and anything over the size limit. */
export function readInputText(path: string, flag: string, opts: InputOptions = {}): string {
  const limit = opts.limit ?? inputLimitBytes();
  const { real } = checkInputFile(path, flag, { limit });
  let fd = -1;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${flag}: cannot read ${path}: not a regular file`);
    // Read at most limit + 1 bytes: a file that grew since the check is still bounded.
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > limit) throw new UsageError(`${flag}: ${path} is over the ${(limit / 2 ** 20).toFixed(0)} MiB limit (raise it deliberately with ${INPUT_LIMIT_ENV}=N)`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${flag}: cannot read ${path}: ${fsWhy(e)}`);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * The nesting depth of a JSON value, walked without recursion; throws a UsageError naming `where`
 * as soon as it passes `max`.
 */
export function checkJsonDepth(value: unknown, where: string, max = MAX_JSON_DEPTH): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) throw new UsageError(`${where}: JSON nested deeper than ${max} levels; allowed: at most ${max}`);
    for (const c of Array.isArray(v) ? v : Object.values(v as object)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
}

/** JSON.parse with the depth limit; a syntax error is a UsageError naming `where`. */
export function parseJsonText(text: string, where: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${where}: not JSON (${(e as Error).message})`);
  }
  checkJsonDepth(v, where);
  return v;
}

/** Reads a JSON input file: regular file, size limit, depth limit; every failure a UsageError naming `flag` and the file. */
export function readJsonInput(path: string, flag: string, opts: InputOptions = {}): unknown {
  return parseJsonText(readInputText(path, flag, opts), `${flag} ${path}`);
}
