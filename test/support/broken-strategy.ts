/**
 * A deliberately broken strategy, kept under test/ only: it never tags or waits, so it returns ok
 * while pins are held. The negative control that shows the `unsafe` counter fires.
 */
import type { Strategy } from '../../src/strategies/types.ts';
import { addSealsLocked } from '../../src/sim/seal.ts';

export const broken: Strategy = {
  name: 'broken-skip-wait',
  models: 'negative control: shmem_wait_for_pins replaced by "return 0"',
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* () {
      return 'ok' as const;
    }, sealSeal);
  },
};
