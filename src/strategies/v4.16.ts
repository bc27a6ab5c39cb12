/**
 * S2 `v4.16`: what upstream did: 9852a7212324 "mm: drop hotplug lock from lru_add_drain_all()"
 * (Michal Hocko, acked by Thomas Gleixner, v4.16-rc1 [T1][M10]). The seal path is v4.14's; the
 * drain no longer takes cpu_hotplug_lock, so the i_rwsem -> cpu_hotplug_lock edge is gone.
 */
import { defineStrategy, v414SealPath } from './api.ts';

export const v416 = defineStrategy({
  name: 'v4.16',
  models: 'S2: 9852a7212324 drop hotplug lock from lru_add_drain_all (v4.16) [T1]',
  drainAll: { hotplugLock: false },
  addSeals: v414SealPath,
});
