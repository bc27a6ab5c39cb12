/**
 * The simulator as a Predictor for compare.ts: runs a calibration scenario with one strategy and
 * reads back its single seal. Kept apart so compare.ts does not depend on the simulator.
 */
import { runScenario } from '../sim/run.ts';
import type { Costs } from '../kernel/costs.ts';
import type { Predictor } from './compare.ts';

export function simPredictor(calibration?: Partial<Costs>): Predictor {
  return async (scenario) => {
    const record = await runScenario(scenario, calibration ? { calibration } : {});
    const seal = record.runs[0]?.seals[0];
    if (!seal) throw new Error(`${scenario.name}: the simulator produced no seal before horizonMs ${scenario.horizonMs}`);
    return { latencyMs: seal.endMs - seal.startMs, result: seal.result };
  };
}
