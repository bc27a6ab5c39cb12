// The core must be shareable between threads: its only import is the shared env.memory, and it
// has no data segment and no global the simulation reads (AS runtime state is per instance, so
// state kept in a global would differ between threads: docs/toolchain.md). The one global is the
// tag pass's write-only scheduling sink (assembly/scan.ts `sink`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WASM_PATH, coreModule } from '../src/wasm/core.ts';

function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let i = 8; // magic + version
  while (i < bytes.length) {
    const id = bytes[i++];
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[i++];
      size |= (b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    ids.push(id);
    i += size;
  }
  return ids;
}

describe('core module shape', () => {
  it('imports only env.memory, and it is shared', () => {
    const imports = WebAssembly.Module.imports(coreModule());
    expect(imports).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const wat = readFileSync(WASM_PATH.replace(/\.wasm$/, '.wat'), 'utf8');
    expect(wat).toMatch(/\(import "env" "memory" \(memory \$0 1 65536 shared\)\)/);
  });

  it('has no data segment and no global but the write-only scan sink (no mutable runtime state)', () => {
    const ids = sectionIds(readFileSync(WASM_PATH));
    expect(ids).not.toContain(11); // data
    expect(ids).not.toContain(12); // data count
    expect(WebAssembly.Module.exports(coreModule()).every((e) => e.kind === 'function')).toBe(true);
    const wat = readFileSync(WASM_PATH.replace(/\.wasm$/, '.wat'), 'utf8');
    const globals = wat.split('\n').filter((l) => /^ \(global /.test(l));
    expect(globals).toEqual([' (global $assembly/scan/sink (mut i64) (i64.const 0))']);
    // Read only by scanSink(), which nothing in src/ calls.
    const reads = wat.split('\n').filter((l) => l.includes('global.get $assembly/scan/sink'));
    expect(reads).toHaveLength(1);
  });
});
