// Plan IR: what the planner produces from checked Rego and the Wasm emitter consumes.
// Low-level, OPA-style: functions of blocks of statements over numbered locals that hold value
// references (0 = undefined). A statement that is *undefined* leaves the innermost enclosing
// block; execution continues after that block. Nothing here knows the runtime's value layout.

import type { Location } from '../diagnostics/index.js';

/** Local is a function-local slot holding a value reference or undefined. */
export type Local = number;

/** INPUT and DATA are the first two parameters of every function and plan. */
export const INPUT: Local = 0;
export const DATA: Local = 1;

/** Operand is a local or an immutable constant (index into Policy.constants). */
export type Operand = { readonly kind: 'local'; readonly local: Local } | { readonly kind: 'const'; readonly index: number };

/** RuntimeError is raised by aborting statements; it renders as `file:row: code: message`. */
export type RuntimeError = {
  readonly code: 'eval_conflict_error' | 'eval_type_error' | 'eval_builtin_error' | 'eval_internal_error';
  readonly message: string;
  readonly loc: Location;
};

/** Block is a failure scope: an undefined statement ends the block. */
export type Block = { readonly stmts: readonly Stmt[] };

/** Stmt is one IR statement. Each member documents when it is undefined or aborts. */
export type Stmt =
  | CallStmt
  | BuiltinStmt
  | DotStmt
  | LenStmt
  | ScanStmt
  | NotStmt
  | BlockStmt
  | BreakStmt
  | AssignStmt
  | AssignOnceStmt
  | ResetStmt
  | MakeArrayStmt
  | MakeObjectStmt
  | MakeSetStmt
  | EqualStmt
  | NotEqualStmt
  | IsTypeStmt
  | IsDefinedStmt
  | IsUndefinedStmt
  | ArrayAppendStmt
  | ObjectInsertStmt
  | ObjectInsertOnceStmt
  | ObjectMergeStmt
  | SetAddStmt
  | UpsertStmt
  | SlotSetStmt
  | SlotGetStmt
  | AbortStmt;

/** CallStmt calls IR function `func` with args (input and data first); undefined if it returns undefined. */
export type CallStmt = {
  readonly kind: 'call';
  readonly func: string;
  readonly args: readonly Operand[];
  readonly target: Local;
  readonly loc?: Location;
};
/**
 * BuiltinStmt calls builtin `name` (OPA's name: `count`, `plus`, `array.concat`, `internal.member_2`, …);
 * native when the runtime has it (abi.ts NATIVE_BUILTINS), otherwise dispatched to the host.
 * Undefined if the builtin returns undefined (including builtin errors in non-strict mode).
 */
export type BuiltinStmt = {
  readonly kind: 'builtin';
  readonly name: string;
  readonly args: readonly Operand[];
  readonly target: Local;
  readonly loc?: Location;
};
/** DotStmt: target = source[key]; undefined if source is not a collection or has no such key/member. */
export type DotStmt = { readonly kind: 'dot'; readonly source: Operand; readonly key: Operand; readonly target: Local };
/** LenStmt: target = number of elements of an array/object/set; undefined for other values. */
export type LenStmt = { readonly kind: 'len'; readonly source: Operand; readonly target: Local };
/**
 * ScanStmt runs `block` once per element of `source` (array: index/element; object: key/value in
 * sorted key order; set: element/element in sorted order) with key and value locals bound.
 * Never undefined itself: a non-collection or empty source just runs the block zero times.
 */
export type ScanStmt = {
  readonly kind: 'scan';
  readonly source: Local;
  readonly key: Local;
  readonly value: Local;
  readonly block: Block;
};
/** NotStmt runs `block`; undefined if the block ran to its end, defined if it was left early. */
export type NotStmt = { readonly kind: 'not'; readonly block: Block };
/** BlockStmt runs each block in turn (each its own failure scope); never undefined itself. */
export type BlockStmt = { readonly kind: 'block'; readonly blocks: readonly Block[] };
/** BreakStmt leaves `index + 1` enclosing blocks (0 = the current block), counting every Block of scan/not/block statements. */
export type BreakStmt = { readonly kind: 'break'; readonly index: number };
/** AssignStmt: target = source. Undefined if source is an undefined local. */
export type AssignStmt = { readonly kind: 'assign'; readonly source: Operand; readonly target: Local };
/** AssignOnceStmt: like assign, but aborts with `error` if target is defined and differs from source. */
export type AssignOnceStmt = {
  readonly kind: 'assignOnce';
  readonly source: Operand;
  readonly target: Local;
  readonly error: RuntimeError;
};
/** ResetStmt makes target undefined. */
export type ResetStmt = { readonly kind: 'reset'; readonly target: Local };
/** MakeArrayStmt: target = new empty array (capacity is a hint). */
export type MakeArrayStmt = { readonly kind: 'makeArray'; readonly capacity: number; readonly target: Local };
/** MakeObjectStmt: target = new empty object. */
export type MakeObjectStmt = { readonly kind: 'makeObject'; readonly target: Local };
/** MakeSetStmt: target = new empty set. */
export type MakeSetStmt = { readonly kind: 'makeSet'; readonly target: Local };
/** EqualStmt: undefined unless a and b are equal Rego values (1 == 1.0). */
export type EqualStmt = { readonly kind: 'equal'; readonly a: Operand; readonly b: Operand };
/** NotEqualStmt: undefined if a and b are equal. */
export type NotEqualStmt = { readonly kind: 'notEqual'; readonly a: Operand; readonly b: Operand };
/** ValueType names the runtime types. */
export type ValueType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'set';
/** IsTypeStmt: undefined unless source is defined and of the type. */
export type IsTypeStmt = { readonly kind: 'isType'; readonly source: Operand; readonly type: ValueType };
/** IsDefinedStmt: undefined if the local is undefined. */
export type IsDefinedStmt = { readonly kind: 'isDefined'; readonly source: Local };
/** IsUndefinedStmt: undefined if the local is defined. */
export type IsUndefinedStmt = { readonly kind: 'isUndefined'; readonly source: Local };
/** ArrayAppendStmt appends value to the array in `array` (made by makeArray in this function). */
export type ArrayAppendStmt = { readonly kind: 'arrayAppend'; readonly array: Local; readonly value: Operand };
/** ObjectInsertStmt sets object[key] = value, replacing any previous value. */
export type ObjectInsertStmt = { readonly kind: 'objectInsert'; readonly object: Local; readonly key: Operand; readonly value: Operand };
/** ObjectInsertOnceStmt sets object[key] = value; aborts with `error` if key is present with a different value. */
export type ObjectInsertOnceStmt = {
  readonly kind: 'objectInsertOnce';
  readonly object: Local;
  readonly key: Operand;
  readonly value: Operand;
  readonly error: RuntimeError;
};
/**
 * ObjectMergeStmt: target = deep merge of objects a and b (b's keys added to a's; nested objects
 * merged recursively). Aborts with `error` where both have a key whose values are not both
 * objects and differ. Undefined if either operand is undefined or not an object.
 */
export type ObjectMergeStmt = {
  readonly kind: 'objectMerge';
  readonly a: Operand;
  readonly b: Operand;
  readonly target: Local;
  readonly error: RuntimeError;
};
/** SetAddStmt adds value to the set in `set`. */
export type SetAddStmt = { readonly kind: 'setAdd'; readonly set: Local; readonly value: Operand };
/**
 * UpsertStmt: target = a copy of source with value stored at path (a constant array of keys),
 * creating objects along the way (source undefined counts as {}). Used for `with input.x as v`
 * and `with data.x as v`. Never undefined.
 */
export type UpsertStmt = {
  readonly kind: 'upsert';
  readonly source: Operand;
  readonly path: Operand;
  readonly value: Operand;
  readonly target: Local;
};
/** SlotSetStmt stores value in global slot `slot` (used for `with f as <value>` mocks). */
export type SlotSetStmt = { readonly kind: 'slotSet'; readonly slot: number; readonly value: Operand };
/** SlotGetStmt: target = global slot `slot`; undefined if the slot is empty. */
export type SlotGetStmt = { readonly kind: 'slotGet'; readonly slot: number; readonly target: Local };
/** AbortStmt stops evaluation with `error`. */
export type AbortStmt = { readonly kind: 'abort'; readonly error: RuntimeError };

/**
 * Func is an IR function. Params are locals (params[0] = INPUT, params[1] = DATA, then
 * arguments). Running it executes `blocks` in order (each a failure scope), then returns the
 * value in `result` (undefined if never assigned).
 */
export type Func = {
  readonly name: string;
  readonly params: readonly Local[];
  readonly result: Local;
  readonly blocks: readonly Block[];
  /** Rego path the function implements (`data.pkg.rule`), for names and error messages. */
  readonly path: string;
  readonly loc?: Location;
};

/** Plan is one entrypoint: `name` is `pkg/rule`; `func` (params input, data) returns the document. */
export type Plan = { readonly name: string; readonly func: string };

/** Policy is the whole plan: constants as canonical JSON texts (never mutated at run time). */
export type Policy = {
  readonly constants: readonly string[];
  readonly funcs: readonly Func[];
  readonly plans: readonly Plan[];
  /** Number of global slots used by SlotSet/SlotGet. */
  readonly slots: number;
};
