// Value layout and allocator of the runtime (AssemblyScript, unmanaged: no AS GC objects, no AS
// Strings for policy data). Every value is an address in linear memory starting with a u32 tag
// (engine/abi.ts TAG); address 0 means undefined. All values are immutable once published,
// except collections freshly made by generated code (makeArray/makeObject/makeSet) while they
// are being filled.
//
//   NULL    [tag]                                              static singleton
//   BOOLEAN [tag][u32 b]                                        static singletons TRUE / FALSE
//   NUMBER  [tag][u32 flags][f64 value][u32 textPtr][u32 textLen]
//           flags & NUM_HAS_TEXT: textPtr/textLen hold the exact literal (JSON grammar), used when
//           dumping and for integers beyond 2^53; value is always the nearest f64.
//   STRING  [tag][u32 len][u32 ptr]                             ptr -> len bytes of UTF-8
//   ARRAY   [tag][u32 len][u32 cap][u32 items]                  items -> cap u32 value pointers
//   SET     [tag][u32 len][u32 cap][u32 items]                  items sorted ascending (Rego order), unique
//   OBJECT  [tag][u32 len][u32 cap][u32 keys][u32 vals]         keys sorted ascending (Rego order), unique

export const T_UNDEFINED: u32 = 0;
export const T_NULL: u32 = 1;
export const T_BOOLEAN: u32 = 2;
export const T_NUMBER: u32 = 3;
export const T_STRING: u32 = 4;
export const T_ARRAY: u32 = 5;
export const T_OBJECT: u32 = 6;
export const T_SET: u32 = 7;

export const NUM_HAS_TEXT: u32 = 1;

// ---- allocator: a bump pointer; the host resets it between evaluations (see WASM-ABI.md) ----

// @ts-ignore: decorator
@lazy let heapPtr: usize = 0;

/** heapGet returns the next free address. */
export function heapGet(): usize {
  if (heapPtr == 0) heapPtr = (__heap_base + 7) & ~7;
  return heapPtr;
}

/** heapSet moves the bump pointer (opa_heap_ptr_set, opa_eval's heap_ptr). */
export function heapSet(p: usize): void {
  heapPtr = p;
}

/** alloc returns `size` bytes aligned to 8, growing memory as needed. Never returns 0. */
export function alloc(size: usize): usize {
  let p = heapGet();
  p = (p + 7) & ~(<usize>7);
  const end = p + size;
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    const need = <i32>(((end - have) + 0xffff) >> 16);
    if (memory.grow(need) < 0) unreachable();
  }
  heapPtr = end;
  return p;
}

// ---- static singletons ----

const STATIC_NULL: usize = memory.data<u32>([T_NULL, 0]);
const STATIC_TRUE: usize = memory.data<u32>([T_BOOLEAN, 1]);
const STATIC_FALSE: usize = memory.data<u32>([T_BOOLEAN, 0]);

// ---- tags ----

/** tagOf returns the tag of v (T_UNDEFINED for 0). */
// @ts-ignore: decorator
@inline export function tagOf(v: usize): u32 {
  return v == 0 ? T_UNDEFINED : load<u32>(v);
}

// ---- null / boolean ----

/** nullValue returns the static null value. */
export function nullValue(): usize {
  return STATIC_NULL;
}
/** boolValue returns the static true or false value. */
export function boolValue(b: bool): usize {
  return b ? STATIC_TRUE : STATIC_FALSE;
}
/** boolOf reads a BOOLEAN value. */
// @ts-ignore: decorator
@inline export function boolOf(v: usize): bool {
  return load<u32>(v, 4) != 0;
}

// ---- numbers ----

/** newNumber makes a NUMBER from an f64 with no literal text. */
export function newNumber(f: f64): usize {
  const v = alloc(24);
  store<u32>(v, T_NUMBER);
  store<u32>(v, 0, 4);
  store<f64>(v, f, 8);
  store<u32>(v, 0, 16);
  store<u32>(v, 0, 20);
  return v;
}
/** newNumberText makes a NUMBER keeping the exact literal bytes at [ptr, ptr+len) (not copied). */
export function newNumberText(f: f64, ptr: usize, len: u32): usize {
  const v = alloc(24);
  store<u32>(v, T_NUMBER);
  store<u32>(v, NUM_HAS_TEXT, 4);
  store<f64>(v, f, 8);
  store<u32>(v, <u32>ptr, 16);
  store<u32>(v, len, 20);
  return v;
}
/** numberOf reads a NUMBER's f64 value. */
// @ts-ignore: decorator
@inline export function numberOf(v: usize): f64 {
  return load<f64>(v, 8);
}
/** numberHasText tells whether a NUMBER keeps its literal text. */
// @ts-ignore: decorator
@inline export function numberHasText(v: usize): bool {
  return (load<u32>(v, 4) & NUM_HAS_TEXT) != 0;
}
/** numberTextPtr returns the address of a NUMBER's literal text. */
// @ts-ignore: decorator
@inline export function numberTextPtr(v: usize): usize {
  return <usize>load<u32>(v, 16);
}
/** numberTextLen returns the byte length of a NUMBER's literal text. */
// @ts-ignore: decorator
@inline export function numberTextLen(v: usize): u32 {
  return load<u32>(v, 20);
}

// ---- strings ----

/** newString makes a STRING pointing at existing bytes (not copied). */
export function newString(ptr: usize, len: u32): usize {
  const v = alloc(12);
  store<u32>(v, T_STRING);
  store<u32>(v, len, 4);
  store<u32>(v, <u32>ptr, 8);
  return v;
}
/** newStringCopy makes a STRING with its own copy of the bytes. */
export function newStringCopy(ptr: usize, len: u32): usize {
  const bytes = alloc(<usize>len);
  memory.copy(bytes, ptr, <usize>len);
  return newString(bytes, len);
}
/** strLen returns a STRING's byte length. */
// @ts-ignore: decorator
@inline export function strLen(v: usize): u32 {
  return load<u32>(v, 4);
}
/** strPtr returns the address of a STRING's UTF-8 bytes. */
// @ts-ignore: decorator
@inline export function strPtr(v: usize): usize {
  return <usize>load<u32>(v, 8);
}

// ---- arrays and sets (same layout) ----

function newList(tag: u32, cap: u32): usize {
  if (cap < 4) cap = 4;
  const v = alloc(16);
  store<u32>(v, tag);
  store<u32>(v, 0, 4);
  store<u32>(v, cap, 8);
  store<u32>(v, <u32>alloc(<usize>cap << 2), 12);
  return v;
}
/** newArray makes an empty ARRAY with room for cap items. */
export function newArray(cap: u32): usize {
  return newList(T_ARRAY, cap);
}
/** newSet makes an empty SET (fill it with setAdd to keep it sorted). */
export function newSet(cap: u32): usize {
  return newList(T_SET, cap);
}
/** listLen returns the item count of an ARRAY or SET (also an OBJECT's size). */
// @ts-ignore: decorator
@inline export function listLen(v: usize): u32 {
  return load<u32>(v, 4);
}
/** listItems returns the address of a list's u32 item pointers. */
// @ts-ignore: decorator
@inline export function listItems(v: usize): usize {
  return <usize>load<u32>(v, 12);
}
/** listGet returns item i of an ARRAY or SET. */
// @ts-ignore: decorator
@inline export function listGet(v: usize, i: u32): usize {
  return <usize>load<u32>(listItems(v) + (<usize>i << 2));
}
/** listReserve makes room for `extra` more items, reallocating the item buffer if needed. */
export function listReserve(v: usize, extra: u32): void {
  const len = load<u32>(v, 4);
  let cap = load<u32>(v, 8);
  if (len + extra <= cap) return;
  while (cap < len + extra) cap = cap << 1;
  const items = alloc(<usize>cap << 2);
  memory.copy(items, listItems(v), <usize>len << 2);
  store<u32>(v, cap, 8);
  store<u32>(v, <u32>items, 12);
}
/** listPush appends to an ARRAY (no ordering; sets use setAdd in collections.ts). */
export function listPush(v: usize, item: usize): void {
  listReserve(v, 1);
  const len = load<u32>(v, 4);
  store<u32>(listItems(v) + (<usize>len << 2), <u32>item);
  store<u32>(v, len + 1, 4);
}
/** listInsertAt inserts at index i, shifting later items (used by sorted sets). */
export function listInsertAt(v: usize, i: u32, item: usize): void {
  listReserve(v, 1);
  const len = load<u32>(v, 4);
  const items = listItems(v);
  const at = items + (<usize>i << 2);
  memory.copy(at + 4, at, <usize>(len - i) << 2);
  store<u32>(at, <u32>item);
  store<u32>(v, len + 1, 4);
}

// ---- objects ----

/** newObject makes an empty OBJECT with room for cap entries (fill it with objectInsert). */
export function newObject(cap: u32): usize {
  if (cap < 4) cap = 4;
  const v = alloc(20);
  store<u32>(v, T_OBJECT);
  store<u32>(v, 0, 4);
  store<u32>(v, cap, 8);
  store<u32>(v, <u32>alloc(<usize>cap << 2), 12);
  store<u32>(v, <u32>alloc(<usize>cap << 2), 16);
  return v;
}
/** objLen returns an OBJECT's entry count. */
// @ts-ignore: decorator
@inline export function objLen(v: usize): u32 {
  return load<u32>(v, 4);
}
/** objKeys returns the address of an OBJECT's sorted u32 key pointers. */
// @ts-ignore: decorator
@inline export function objKeys(v: usize): usize {
  return <usize>load<u32>(v, 12);
}
/** objVals returns the address of an OBJECT's u32 value pointers. */
// @ts-ignore: decorator
@inline export function objVals(v: usize): usize {
  return <usize>load<u32>(v, 16);
}
/** objKeyAt returns key i of an OBJECT. */
// @ts-ignore: decorator
@inline export function objKeyAt(v: usize, i: u32): usize {
  return <usize>load<u32>(objKeys(v) + (<usize>i << 2));
}
/** objValAt returns value i of an OBJECT. */
// @ts-ignore: decorator
@inline export function objValAt(v: usize, i: u32): usize {
  return <usize>load<u32>(objVals(v) + (<usize>i << 2));
}
/** objSetValAt replaces the value at index i. */
// @ts-ignore: decorator
@inline export function objSetValAt(v: usize, i: u32, val: usize): void {
  store<u32>(objVals(v) + (<usize>i << 2), <u32>val);
}
/** objInsertAt inserts key/value at index i (keeping keys sorted is the caller's job). */
export function objInsertAt(v: usize, i: u32, key: usize, val: usize): void {
  const len = load<u32>(v, 4);
  let cap = load<u32>(v, 8);
  if (len + 1 > cap) {
    cap = cap << 1;
    const keys = alloc(<usize>cap << 2);
    const vals = alloc(<usize>cap << 2);
    memory.copy(keys, objKeys(v), <usize>len << 2);
    memory.copy(vals, objVals(v), <usize>len << 2);
    store<u32>(v, cap, 8);
    store<u32>(v, <u32>keys, 12);
    store<u32>(v, <u32>vals, 16);
  }
  const kat = objKeys(v) + (<usize>i << 2);
  const vat = objVals(v) + (<usize>i << 2);
  memory.copy(kat + 4, kat, <usize>(len - i) << 2);
  memory.copy(vat + 4, vat, <usize>(len - i) << 2);
  store<u32>(kat, <u32>key);
  store<u32>(vat, <u32>val);
  store<u32>(v, len + 1, 4);
}
