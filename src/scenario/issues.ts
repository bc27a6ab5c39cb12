/**
 * zod issues as the lines of a UsageError: one line per issue, `path: message`. The schemas'
 * messages say what is allowed and never repeat the field; this guard drops a field name a
 * message still starts with, so a line never names its field twice ("cpus: cpus: ...").
 */
import type { z } from 'zod';

function pathOf(i: z.core.$ZodIssue): string {
  return i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
}

function withoutRepeatedField(path: string, message: string): string {
  const last = path.replace(/\[\d+\]$/, '').split('.').pop() ?? '';
  for (const prefix of [path, last]) {
    if (prefix && message.startsWith(`${prefix}: `)) return message.slice(prefix.length + 2);
  }
  return message;
}

/** `invalid <what> <source>:` and the first 8 issues. */
export function formatIssues(issues: z.core.$ZodIssue[], what: string, source: string): string {
  const lines = issues.slice(0, 8).map((i) => {
    const path = pathOf(i);
    return `  ${path}: ${withoutRepeatedField(path, i.message)}`;
  });
  const more = issues.length > 8 ? `\n  ... and ${issues.length - 8} more` : '';
  return `invalid ${what} ${source}:\n${lines.join('\n')}${more}`;
}
