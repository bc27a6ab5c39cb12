import { describe, expect, it } from 'vitest';
import { cpumaskHex, kernelInt, parseTextLine } from '../src/trace/format.ts';

// Lines as this host's 6.18 kernel printed them (trace_pipe of a drainrec instance).
const L = {
  seal: '        dwl-seal-8568    [000] .....   512.179983: sys_fcntl(fd: 6, cmd: 0x409, arg: 8)',
  otherFcntl: '            node-8524    [001] .....   512.209034: sys_fcntl(fd: 3, cmd: 0x3, arg: 0)',
  exitOk: '        dwl-seal-8568    [000] .....   511.779619: sys_fcntl -> 0x0',
  exitBusy: '        dwl-seal-8568    [000] .....   511.779619: sys_fcntl -> 0xfffffffffffffff0',
  queue: '        dwl-seal-8568    [000] dN.1.   512.180001: workqueue_queue_work: work struct=00000000e233af0f function=lru_add_drain_per_cpu workqueue=mm_percpu_wq req_cpu=1 cpu=1',
  queueOther: '            node-8234    [000] dNs1.   491.040122: workqueue_queue_work: work struct=00000000a6a263cf function=vmstat_update workqueue=mm_percpu_wq req_cpu=0 cpu=0',
  start: '     kworker/1:2-599     [001] .....   512.180155: workqueue_execute_start: work struct 00000000e233af0f: function lru_add_drain_per_cpu',
  insert: '          dwl-w0-8253    [000] d..2.   491.051707: mm_lru_insertion: folio=000000006976799a pfn=0x1639e3 lru=0 flags=Ma bd ',
  switch: '          dwl-w1-8254    [001] d..2.   491.052170: sched_switch: prev_comm=dwl-w1 prev_pid=8254 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120',
  fadvise: '        dwl-fadv-8569    [000] .....   511.778320: sys_fadvise64(fd: 4, offset: 0, len: 0x1000, advice: 4)',
  alloc: '          dwl-w0-8253    [000] .....   491.051700: mm_page_alloc: page=00000000a1b2c3d4 pfn=0x1639e3 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE',
};

describe('trace text lines', () => {
  it('reads a seal, its result and the drain work it queued', () => {
    expect(parseTextLine(L.seal)).toEqual({ t: 512_179_983_000, cpu: 0, pid: 8568, comm: 'dwl-seal', e: 'seal', fd: 6, seals: 8 });
    expect(parseTextLine(L.exitOk)).toMatchObject({ e: 'sealExit', ret: 0 });
    expect(parseTextLine(L.exitBusy)).toMatchObject({ e: 'sealExit', ret: -16 });
    expect(parseTextLine(L.queue)).toMatchObject({ e: 'drainQueue', work: '00000000e233af0f', target: 1, cpu: 0, comm: 'dwl-seal' });
    expect(parseTextLine(L.start)).toMatchObject({ e: 'drainStart', work: '00000000e233af0f', cpu: 1, comm: 'kworker/1:2' });
  });

  it('keeps only what it was asked for: other fcntls and other work functions are dropped', () => {
    expect(parseTextLine(L.otherFcntl)).toBeUndefined();
    expect(parseTextLine(L.queueOther)).toBeUndefined();
  });

  it('reads page, sched and fadvise events', () => {
    expect(parseTextLine(L.insert)).toMatchObject({ e: 'lruInsert', n: 1, cpu: 0, comm: 'dwl-w0' });
    expect(parseTextLine(L.alloc)).toMatchObject({ e: 'pageAlloc', n: 1, cpu: 0 });
    expect(parseTextLine(L.switch)).toMatchObject({ e: 'switch', prevPid: 8254, nextPid: 0, nextPrio: 120, nextComm: 'swapper/1' });
    expect(parseTextLine(L.fadvise)).toMatchObject({ e: 'fadvise', fd: 4 });
  });

  it('refuses a line that is not a trace line', () => {
    expect(() => parseTextLine('# tracer: nop')).toThrow(/not a trace line/);
  });

  it('converts the kernel numbers', () => {
    expect(kernelInt('0xffffffffffffffff')).toBe(-1);
    expect(kernelInt('0x409')).toBe(1033);
    expect(cpumaskHex([0, 1, 8])).toBe('103');
  });
});

describe('bursts merged by drainrec', () => {
  it('reads the count and the last time of a merged burst', () => {
    const l = '          dwl-w0-8253    [000] d..2.   491.051707: mm_lru_insertion: folio=000000006976799a pfn=0x1639e3 lru=0 flags=Ma bd drainrec_burst n=31 last=491.051799';
    expect(parseTextLine(l)).toMatchObject({ e: 'lruInsert', n: 31, t: 491_051_707_000, t1: 491_051_799_000 });
  });
});
