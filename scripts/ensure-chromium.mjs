#!/usr/bin/env node
// Makes sure a Chromium the report's browser test can drive exists at /usr/bin/chromium.
// playwright-core ships no browser and its own download step cannot reach its CDN from these
// machines, so Debian's package is the one source: installed with apt-get when we are root.
// Exit 0 when Chromium is there (or was installed); exit 0 with a clear message when it cannot be
// had, because the browser test then skips itself with the same reason (it never fails for lack
// of a browser). Set DRAINLAB_REQUIRE_CHROMIUM=1 to turn "cannot be had" into exit 1.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const found = () => CANDIDATES.find((p) => existsSync(p));

function giveUp(reason) {
  const msg = `ensure-chromium: ${reason}; the report browser test will be skipped.`;
  if (process.env.DRAINLAB_REQUIRE_CHROMIUM === '1') {
    console.error(msg);
    process.exit(1);
  }
  console.error(msg);
  process.exit(0);
}

const have = found();
if (have) {
  console.error(`ensure-chromium: using ${have}`);
  process.exit(0);
}
if (process.platform !== 'linux') giveUp(`no Chromium at ${CANDIDATES.join(' or ')} and automatic install only works on Linux`);
if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  giveUp('no Chromium at /usr/bin/chromium and not root, so it cannot be installed here (run: sudo apt-get install -y chromium)');
}
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!hasApt) giveUp('no Chromium at /usr/bin/chromium and no apt-get to install it with');

console.error('ensure-chromium: installing Debian package "chromium" (apt-get update && apt-get install -y chromium) ...');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env }).status;
if (run(['update']) !== 0) giveUp('apt-get update failed');
if (run(['install', '-y', '--no-install-recommends', 'chromium']) !== 0) giveUp('apt-get install chromium failed');
const now = found();
if (!now) giveUp('apt-get reported success but /usr/bin/chromium is still missing');
console.error(`ensure-chromium: installed ${now}`);
