/**
 * zod issues as the lines of a UsageError: one line per issue, `path: message`. The schemas'
 * messages say what is allowed and never repeat the field; this guard drops a field name a
 * message still starts with, so a line never names its field twice ("cpus: cpus: ...").
 */
import type { z } from 'zod';
import { ScenarioError, type FieldIssue } from '../errors.ts';

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

/** Each zod issue as a field path and a message that does not repeat the field. */
export function fieldIssues(issues: z.core.$ZodIssue[]): FieldIssue[] {
  return issues.map((i) => {
    const path = pathOf(i);
    return { path, message: withoutRepeatedField(path, i.message) };
  });
}

/** `invalid <what> <source>:` and the first 8 issues. */
export function formatIssues(issues: z.core.$ZodIssue[], what: string, source: string): string {
  const lines = fieldIssues(issues.slice(0, 8)).map((i) => `  ${i.path}: ${i.message}`);
  const more = issues.length > 8 ? `\n  ... and ${issues.length - 8} more` : '';
  return `invalid ${what} ${source}:\n${lines.join('\n')}${more}`;
}

/** The ScenarioError for a failed schema parse. */
export function scenarioError(issues: z.core.$ZodIssue[], what: string, source: string): ScenarioError {
  return new ScenarioError(formatIssues(issues, what, source), source, fieldIssues(issues));
}
