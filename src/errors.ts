/**
 * Every error a user can cause, made in one place. The CLI catches them once at the top and maps
 * them to exit codes (docs/cli.md): UsageError -> 2 (bad input; nothing was written).
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One problem in a scenario or sweep: the field's path and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * A scenario (or sweep) that failed its schema: the message lists the issues, and the issues
 * travel with it as data, so a caller tells this error apart by its type, never by its text.
 */
export class ScenarioError extends UsageError {
  constructor(
    message: string,
    readonly source: string,
    readonly issues: FieldIssue[],
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

export function tooLarge(files: number, pages: number, cpus: number, bytes: number, maxPages: number): UsageError {
  return new UsageError(
    `pages: ${pages} pages x ${files} file(s) with ${cpus} CPUs needs ${gib(bytes)} of WASM memory, ` +
      `more than the 4 GiB wasm32 limit; at most ${maxPages} pages per file fit with ${cpus} CPUs` +
      (files > 1 ? ` and ${files} files` : ''),
  );
}

export function badField(field: string, got: unknown, allowed: string): UsageError {
  return new UsageError(`${field}: got ${JSON.stringify(got)}; allowed: ${allowed}`);
}

export function unreadable(path: string, why: string): UsageError {
  return new UsageError(`cannot read ${path}: ${why}`);
}
