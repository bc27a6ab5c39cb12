/**
 * S0 `v4.14`: upstream 4.14 (docs/kernel-model.md section f, S0; OP1-OP5 as written in v4.14 mm/shmem.c:2614-2792
 * and mm/swap.c:684-732 [S1]): local drain and tag pass, then scan 0's lru_add_drain_all() with
 * cpu_hotplug_lock taken under the inode lock, then the 10/20/40/80 ms sleeps.
 */
import { defineStrategy, v414SealPath } from './api.ts';

export const v414 = defineStrategy({
  name: 'v4.14',
  models: 'S0: upstream v4.14 shmem_wait_for_pins + lru_add_drain_all with get_online_cpus [S1]',
  drainAll: { hotplugLock: true },
  addSeals: v414SealPath,
});
