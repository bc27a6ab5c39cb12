// SplitMix64 at an arbitrary position (src/stats/rng.ts, the reference): the counter-th output of
// the generator seeded with key, as a double in [0, 1) with 53 random bits. Pure: no memory.
export function rngUniform(keyHi: u32, keyLo: u32, counter: f64): f64 {
  let z: u64 = ((<u64>keyHi << 32) | <u64>keyLo) + 0x9e3779b97f4a7c15 * (<u64>counter + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  z = z ^ (z >> 31);
  return <f64>(z >> 11) * 1.1102230246251565e-16; // 2^-53
}
