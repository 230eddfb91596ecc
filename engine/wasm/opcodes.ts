// Wasm opcodes, section ids and type bytes used by the emitter, the linker and the printer.
// In: nothing. Out: constant tables (the ~30 instructions generated code needs).

/** OP maps instruction mnemonics to their opcode bytes. */
export const OP = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  global_get: 0x23,
  global_set: 0x24,
  i32_load: 0x28,
  i32_store: 0x36,
  i32_const: 0x41,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_u: 0x49,
  i32_ge_u: 0x4f,
  i32_add: 0x6a,
  i32_shl: 0x74,
  i32_lt_s: 0x48,
  i32_sub: 0x6b,
  memory_size: 0x3f,
  memory_grow: 0x40,
  prefix_fc: 0xfc,
} as const;

/** OP_FC holds the 0xfc-prefixed (bulk memory) sub-opcodes. */
export const OP_FC = { memory_init: 8, data_drop: 9 } as const;

/** OP_NAMES maps opcode bytes back to WAT-style mnemonics (for the printer). */
export const OP_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(OP).map(([k, v]) => [v, k.replace(/^(i32|local|global|memory)_/, '$1.')]),
);

/** BLOCK_VOID is the empty block type. */
export const BLOCK_VOID = 0x40;
/** I32 is the i32 value type byte. */
export const I32 = 0x7f;
/** FUNC_TYPE starts a function type. */
export const FUNC_TYPE = 0x60;

/** SECTION maps section names to ids. */
export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  datacount: 12,
} as const;

/** SECTION_ORDER is the order non-custom sections must appear in a module. */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];

/** EXTERNAL_KIND is the export/import descriptor kind byte. */
export const EXTERNAL_KIND = { func: 0, table: 1, memory: 2, global: 3 } as const;
