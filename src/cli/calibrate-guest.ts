/**
 * `drainlab calibrate --kernel SPEC --cpus N`: the CLI side of src/calibrate/guest-boot.ts. Progress on
 * stderr, the result line on stdout. SIGINT / SIGTERM stop the guest (QEMU is killed, the temporary
 * directory removed) and the command exits 130 / 143 with nothing written.
 */
import type { CalibrateCliOptions } from './main.ts';

type Out = (s: string) => void;
const log = (l: string) => process.stderr.write(`${l}\n`);

export async function calibrateGuestCommand(o: CalibrateCliOptions, out: Out): Promise<number> {
  const { calibrateGuest, checkGuestCpus, checkKernelSpec, GuestBootError } = await import('../calibrate/guest-boot.ts');
  const { simPredictor } = await import('../calibrate/predict.ts');
  const { UsageError } = await import('../errors.ts');
  if (o.recorded !== undefined) throw new UsageError('--recorded cannot be combined with --kernel (a recorded run has no guest to boot)');
  if (o.quick) throw new UsageError('--quick is the default in a guest; --full asks for the full probe run');
  const spec = checkKernelSpec(o.kernel!);
  const cpus = checkGuestCpus(o.cpus ?? 8);
  const ac = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSig = (sig: NodeJS.Signals) => {
    if (signalled) return;
    signalled = sig;
    log(`calibrate: ${sig}: stopping the guest`);
    ac.abort();
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  const t0 = Date.now();
  try {
    const r = await calibrateGuest({
      kernel: spec, cpus, accel: o.accel, budgetMs: o.budget !== undefined ? o.budget * 1000 : undefined, full: o.full,
      allowPartial: o.allowPartial, predictor: simPredictor(), signal: ac.signal, log,
      outFor: (release) => o.out ?? `out/calibration-${release}.json`,
    });
    if (r.status === 'interrupted' || signalled) {
      log('calibrate: interrupted: QEMU stopped, nothing written');
      return signalled === 'SIGTERM' ? 143 : 130;
    }
    const g = r.file.guest!;
    for (const w of r.file.warnings ?? []) out(`calibrate: WARNING: ${w}`);
    out(
      `calibrate: guest ${g.release} (${g.vcpus} vCPUs, ${g.booted.cpusOnline} online) under ${g.accelerator}` +
        `${g.attempts.length > 1 ? ` after ${g.attempts.length - 1} failed attempt(s) (${g.attempts.slice(0, -1).map((a) => `${a.accel}: ${a.outcome}`).join(', ')})` : ''}` +
        `: HZ=${r.file.host.hz}, ${g.config.preempt ?? '?'} preemption, mglru ${g.scenario.mglru}` +
        `${g.scenario.rtRuntimeShare === undefined ? '' : `, RT_RUNTIME_SHARE ${g.scenario.rtRuntimeShare ? 'on' : 'off'}`}` +
        `; ${r.file.cases.length} cases${r.file.guestCases?.length ? ` and ${r.file.guestCases.length} case-g measurements` : ''} in ${((Date.now() - t0) / 1000).toFixed(0)} s; wrote ${r.path}`,
    );
    if (r.file.timingsCalibrated === false) out('calibrate: TCG: timings not calibrated (emulated time); outcomes, drain targets and fill behaviour stand');
    return 0;
  } catch (e) {
    if (signalled) return signalled === 'SIGTERM' ? 143 : 130;
    if (e instanceof GuestBootError) {
      log(e.message);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}
