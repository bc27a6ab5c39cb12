// The specification lives in the repository: every docs/ path that code, docs or the README cite
// exists, every relative Markdown link in docs/ and the README resolves, nothing points outside
// the repository to the old reference notes, and every source key ([S1], [T19], [M6] ...) used
// anywhere is defined in docs/kernel-model.md's "Sources".
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const self = fileURLToPath(import.meta.url);

/** What the repository's own text is: these folders and files, without generated output. */
const SCANNED = ['src', 'docs', 'bench', 'test', 'report', 'assembly', 'probe', 'scripts', 'examples', 'schema', 'README.md', 'package.json'];
const SKIP_DIRS = new Set(['node_modules', 'build', 'out', '.drainlab', 'dist']);
const TEXT = /\.(ts|mts|mjs|cjs|js|json|md|c|h|sh|html|css|yml|yaml)$/;

function files(): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p)) if (!SKIP_DIRS.has(e)) walk(join(p, e));
    } else if (TEXT.test(p) && p !== self) out.push(p);
  };
  for (const s of SCANNED) walk(join(root, s));
  return out;
}

const rel = (p: string) => relative(root, p);
const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Every `docs/...` path in the text (not preceded by another path segment), with its line. */
export function citedDocPaths(text: string): { path: string; line: number }[] {
  const out: { path: string; line: number }[] = [];
  for (const m of text.matchAll(/(?<![\w./-])docs\/[\w./-]*[\w-]/g)) out.push({ path: m[0], line: lineOf(text, m.index) });
  return out;
}

/** Every repository file path with an extension (src/sim/seal.ts, bench/README.md ...) in the text. */
export function citedRepoFiles(text: string): { path: string; line: number }[] {
  const out: { path: string; line: number }[] = [];
  const re = /(?<![\w./@-])(?:src|test|assembly|bench|scripts|probe|report|schema|examples|bin)\/[\w./-]*\.[A-Za-z]\w*/g;
  for (const m of text.matchAll(re)) out.push({ path: m[0], line: lineOf(text, m.index) });
  return out;
}

/**
 * References to the reference notes that a clone does not have (the old shared folder, its
 * contract, style and toolchain notes) and bare "kernel-model" citations that name no file. The
 * names are assembled so that this file does not match a plain grep for them.
 */
const OLD = { shared: 'sha' + 'red', contract: 'CON' + 'TRACT', toolchain: 'toolchain' + '-notes', style: 'STY' + 'LE', spec: 'kernel' + '-model' };
export function outsideReferences(text: string): { what: string; line: number }[] {
  const pattern = new RegExp(
    [
      `\\.\\./${OLD.shared}\\b`,
      `(?<![\\w-])${OLD.shared}/`,
      `\\b${OLD.contract}\\b`,
      OLD.toolchain,
      `\\b${OLD.style}\\b`,
      `(?<![\\w/.\`-])${OLD.spec}(?!\\.md)`,
    ].join('|'),
    'g',
  );
  return [...text.matchAll(pattern)].map((m) => ({ what: m[0], line: lineOf(text, m.index) }));
}

describe('docs citations', () => {
  const all = files();
  const texts = new Map(all.map((f) => [f, readFileSync(f, 'utf8')]));

  it('scans the repository (the walk finds the code and the docs)', () => {
    expect(all.some((f) => rel(f) === 'src/sim/seal.ts')).toBe(true);
    expect(all.some((f) => rel(f) === 'docs/kernel-model.md')).toBe(true);
  });

  it('every cited docs/ path exists', () => {
    const missing: string[] = [];
    for (const [f, text] of texts) {
      for (const { path, line } of citedDocPaths(text)) {
        if (!existsSync(join(root, path.replace(/\.$/, '')))) missing.push(`${rel(f)}:${line}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every repository file a comment or doc names exists (moves update their citations)', () => {
    const missing: string[] = [];
    for (const [f, text] of texts) {
      if (rel(f).startsWith('test/')) continue; // tests name made-up files as inputs
      for (const { path, line } of citedRepoFiles(text)) {
        if (path.startsWith('probe/bin/')) continue; // the probe's build output
        if (!existsSync(join(root, path.replace(/\.$/, '')))) missing.push(`${rel(f)}:${line}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every relative Markdown link in docs/ and the README resolves', () => {
    const broken: string[] = [];
    for (const [f, text] of texts) {
      if (!f.endsWith('.md')) continue;
      for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)\s]*)?\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        if (!existsSync(join(dirname(f), target))) broken.push(`${rel(f)}:${lineOf(text, m.index)}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('nothing points outside the repository to the old reference notes', () => {
    const found: string[] = [];
    for (const [f, text] of texts) for (const { what, line } of outsideReferences(text)) found.push(`${rel(f)}:${line}: ${what}`);
    expect(found).toEqual([]);
  });

  it('every source key used is defined in docs/kernel-model.md', () => {
    const spec = readFileSync(join(root, 'docs/kernel-model.md'), 'utf8');
    const defined = new Set([...spec.matchAll(/^- \*\*\[([A-Z]\d+b?)\]\*\*/gm)].map((m) => m[1]));
    expect(defined.size).toBeGreaterThan(40);
    const undefinedKeys: string[] = [];
    for (const [f, text] of texts) {
      for (const m of text.matchAll(/\[([STMLH]\d+b?)\]/g)) {
        if (!defined.has(m[1])) undefinedKeys.push(`${rel(f)}:${lineOf(text, m.index)}: [${m[1]}]`);
      }
    }
    expect(undefinedKeys).toEqual([]);
  });

  it('docs/result-record.md names every lock and every timeline step the record can hold', async () => {
    const { LOCK_NAMES, TRACE_STEPS } = await import('../src/metrics/record.ts');
    const doc = readFileSync(join(root, 'docs/result-record.md'), 'utf8');
    const unnamed = [...LOCK_NAMES, ...TRACE_STEPS].filter((n) => !doc.includes(`\`${n}\``));
    expect(unnamed).toEqual([]);
  });

  it('the detectors fire on what they must catch', () => {
    expect(citedDocPaths('see docs/nope.md, and ../docs/x.md').map((c) => c.path)).toEqual(['docs/nope.md']);
    expect(citedRepoFiles('(src/sim/seal.ts, OP1) and src/ alone, @scope/src/x.ts').map((c) => c.path)).toEqual(['src/sim/seal.ts']);
    expect(outsideReferences(`the spec in ../${OLD.shared}/${OLD.spec}.md`).length).toBeGreaterThan(0);
    expect(outsideReferences(`${OLD.contract} section 3`).length).toBe(1);
    expect(outsideReferences(`${OLD.spec} OP2.2b`).length).toBe(1);
    expect(outsideReferences(`(${OLD.toolchain} §2)`).length).toBe(1);
    expect(outsideReferences(`(${OLD.style} lesson 7)`).length).toBe(1);
    expect(outsideReferences('docs/kernel-model.md OP2.2b, a SharedArrayBuffer in shared memory').length).toBe(0);
  });
});
