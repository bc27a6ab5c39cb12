/**
 * S5 `coalesced`: the generation-number piggyback of concurrent lru_add_drain_all() callers:
 * eef1a429f234 "mm/swap.c: piggyback lru_add_drain_all() calls" (Konstantin Khlebnikov, v5.5
 * [T6]) as rewritten by 6446a5131e24 (v5.10 [T7]): a caller that finds a full drain scheduled
 * after it arrived returns at once. No hotplug lock (v4.16+). The seal path is v4.16's.
 */
import { defineStrategy, v414SealPath } from './api.ts';

export const coalesced = defineStrategy({
  name: 'coalesced',
  models: 'S5: eef1a429f234 / 6446a5131e24 piggyback on lru_drain_gen (v5.5/v5.10) [T6][T7]',
  drainAll: { hotplugLock: false, piggyback: true },
  addSeals: v414SealPath,
});
