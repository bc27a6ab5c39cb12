// The arena's constants: the ONE definition of the header words, pagevec shape and page flags,
// read by the AssemblyScript core (assembly/layout.ts) and by the host (src/wasm/layout.ts, which
// declares AssemblyScript's u32 and u8 as number for TypeScript). Plain `const`s of scalar types
// only, so both compilers accept this file as it is. The arena diagram is in assembly/layout.ts.

export const HOST_BASE: u32 = 65536;

export const H_NPAGES: u32 = 0; // pages per file
export const H_NFILES: u32 = 1;
export const H_NCPUS: u32 = 2;
export const H_PVCAP: u32 = 3; // PAGEVEC_SIZE of the kernel version (C1: 14, 15, 31)
export const H_PSTRIDE: u32 = 4;
export const H_REF: u32 = 5;
export const H_MAP: u32 = 6;
export const H_FLG: u32 = 7;
export const H_TAG: u32 = 8;
export const H_TAGSTRIDE: u32 = 9;
export const H_TAGLEVELS: u32 = 10;
export const H_PVEC: u32 = 11;
export const H_LRU_DISABLED: u32 = 12; // lru_disable_count (OP5' v5.13): non-zero = every add drains at once
export const H_MGLRU: u32 = 13; // the multi-gen LRU is enabled (v6.1+): mark_accessed parks nothing
export const H_LVL0: u32 = 16; // H_LVL0 + k: byte offset of tag level k inside a tree (k < 8)
export const H_LVLN: u32 = 24; // H_LVLN + k: number of u64 words in tag level k

export const PV_KINDS: u32 = 2;
export const PV_LRU_ADD: u32 = 0; // lru_add_pvec (A2): every new memfd page passes through it
export const PV_ACTIVATE: u32 = 1; // activate_page_pvecs (A2): mark_page_accessed on an LRU page
export const PV_WORDS: u32 = 32; // nr + up to 31 entries (C1: PAGEVEC_SIZE <= 31)

// Page flags (A1, A2).
export const PG_PRESENT: u8 = 1; // in the page cache (holds the cache reference)
export const PG_LRU: u8 = 2;
export const PG_ACTIVE: u8 = 4;
export const PG_REFERENCED: u8 = 8;
export const PG_COMPOUND: u8 = 16; // a THP / large folio: never lingers in a pagevec

export const NONE: u32 = 0xffffffff;
