/**
 * One-pass mean and variance (Welford 1962, as tinybench does it): numerically stable for long
 * streams of nearly equal values, where the textbook sum-of-squares formula cancels to garbage.
 */
export class Welford {
  count = 0;
  mean = 0;
  /** Sum of squared deviations from the running mean. */
  m2 = 0;
  min = Infinity;
  max = -Infinity;

  push(x: number): this {
    this.count++;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    return this;
  }

  /** Sample variance (n - 1 denominator); 0 for fewer than two values. */
  get variance(): number {
    return this.count < 2 ? 0 : this.m2 / (this.count - 1);
  }

  get sd(): number {
    return Math.sqrt(this.variance);
  }

  /** Standard error of the mean. */
  get sem(): number {
    return this.count === 0 ? NaN : this.sd / Math.sqrt(this.count);
  }
}

export interface MomentSummary {
  count: number;
  mean: number;
  variance: number;
  sd: number;
  min: number;
  max: number;
}

/** Mean, sample variance, min and max of a sample in one pass. NaN mean for an empty sample. */
export function moments(values: Iterable<number>): MomentSummary {
  const w = new Welford();
  for (const v of values) w.push(v);
  return {
    count: w.count,
    mean: w.count === 0 ? NaN : w.mean,
    variance: w.variance,
    sd: w.sd,
    min: w.count === 0 ? NaN : w.min,
    max: w.count === 0 ? NaN : w.max,
  };
}
