// The core's export list. Every function works on memory the host laid out (layout.ts); none
// allocates, throws or keeps state outside that memory, so any number of instances on any
// number of threads can share one arena.
export { drainCpu, drainPvec, pvecCount, opWrite, opFault, opUnmap, opPin, opUnpin, opRead, opTruncate } from './pagevec';
export { tagSet, tagClear, tagTest, tagAny, tagNext, tagCount } from './tags';
export { tagPassScalar, tagPassSimd, recheckScalar, recheckSimd, scanSink } from './scan';
export { countPresent, allocFresh, addCounts, pvecAppend, zeroPages, zeroBytes } from './bulk';

/** Where AssemblyScript's own static area ends; the host asserts it lies below HOST_BASE. */
export function heapBase(): usize {
  return __heap_base;
}
export { rngUniform } from './rng';
