// Only one drainprobe (or QEMU guest, CPU-heavy under TCG) at a time on a machine: two would share CPU 1 (an RT spinner of one stalls
// the other's kworker). Test files run in parallel, and other checkouts may test too, so the
// lock is a directory in the system temp dir, owned by a pid (a dead owner's lock is taken over).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK = join(tmpdir(), 'drainprobe-test.lock');

function ownerAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withProbeLock<T>(fn: () => Promise<T>, timeoutMs = 240_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!ownerAlive()) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > end) throw new Error(`another drainprobe test held ${LOCK} for ${timeoutMs} ms`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
