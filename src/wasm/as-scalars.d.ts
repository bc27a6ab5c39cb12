// AssemblyScript's scalar type names, as TypeScript sees them when the host imports the core's
// constants (assembly/arena-constants.ts): every one is a JavaScript number on this side.
declare type u8 = number;
declare type u32 = number;
