/**
 * S4 `drain-every-cpu` (contrast): lru_add_drain_all() as before 5fbc461636c3 "mm: make
 * lru_add_drain_all() selective" (Chris Metcalf, v3.12 [T3]): work is queued on every online CPU,
 * empty pagevecs or not. The seal path is v4.16's. Shows what selectivity saves on idle machines.
 */
import { defineStrategy, v414SealPath } from './api.ts';

export const drainEveryCpu = defineStrategy({
  name: 'drain-every-cpu',
  models: 'S4: pre-3.12 lru_add_drain_all queues work on every online CPU (before 5fbc461636c3 [T3])',
  drainAll: { cpus: 'all' },
  addSeals: v414SealPath,
});
