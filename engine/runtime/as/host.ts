// Host imports (env.opa_*) and process-wide runtime state: aborting with a message, the strict
// flag and the current builtin call location. Exports (AS-level, for builtins): abortWith(msg),
// abortCString(addr), asAbort (the `--use abort=` target), isStrict(), currentLocation(),
// setStrict(b), setLocation(addr), and the raw host functions hostAbort/hostPrintln/hostBuiltinN.

// @ts-ignore: decorator
@external("env", "opa_abort")
declare function opa_abort(addr: usize): void;
// @ts-ignore: decorator
@external("env", "opa_println")
declare function opa_println(addr: usize): void;
// @ts-ignore: decorator
@external("env", "opa_builtin0")
declare function opa_builtin0(id: i32, ctx: usize): usize;
// @ts-ignore: decorator
@external("env", "opa_builtin1")
declare function opa_builtin1(id: i32, ctx: usize, a: usize): usize;
// @ts-ignore: decorator
@external("env", "opa_builtin2")
declare function opa_builtin2(id: i32, ctx: usize, a: usize, b: usize): usize;
// @ts-ignore: decorator
@external("env", "opa_builtin3")
declare function opa_builtin3(id: i32, ctx: usize, a: usize, b: usize, c: usize): usize;
// @ts-ignore: decorator
@external("env", "opa_builtin4")
declare function opa_builtin4(id: i32, ctx: usize, a: usize, b: usize, c: usize, d: usize): usize;

/** hostAbort passes a NUL-terminated ASCII message to env.opa_abort and never returns. */
export function hostAbort(addr: usize): void {
  opa_abort(addr);
  unreachable();
}

/** hostPrintln passes a NUL-terminated UTF-8 line to env.opa_println. */
export function hostPrintln(addr: usize): void {
  opa_println(addr);
}

/** hostBuiltin0 calls env.opa_builtin0(id, 0). */
export function hostBuiltin0(id: i32): usize {
  return opa_builtin0(id, 0);
}
/** hostBuiltin1 calls env.opa_builtin1(id, 0, a). */
export function hostBuiltin1(id: i32, a: usize): usize {
  return opa_builtin1(id, 0, a);
}
/** hostBuiltin2 calls env.opa_builtin2(id, 0, a, b). */
export function hostBuiltin2(id: i32, a: usize, b: usize): usize {
  return opa_builtin2(id, 0, a, b);
}
/** hostBuiltin3 calls env.opa_builtin3(id, 0, a, b, c). */
export function hostBuiltin3(id: i32, a: usize, b: usize, c: usize): usize {
  return opa_builtin3(id, 0, a, b, c);
}
/** hostBuiltin4 calls env.opa_builtin4(id, 0, a, b, c, d). */
export function hostBuiltin4(id: i32, a: usize, b: usize, c: usize, d: usize): usize {
  return opa_builtin4(id, 0, a, b, c, d);
}

// Scratch for narrowing AS string literals (UTF-16) into NUL-terminated ASCII messages.
const MSG_CAP: i32 = 512;
const MSG_BUF: usize = memory.data(512);

/** abortWith aborts with an AS string message (ASCII; longer messages are truncated). */
export function abortWith(msg: string): void {
  let n = msg.length;
  if (n > MSG_CAP - 1) n = MSG_CAP - 1;
  for (let i = 0; i < n; i++) {
    const c = msg.charCodeAt(i);
    store<u8>(MSG_BUF + <usize>i, c < 128 ? <u8>c : <u8>63);
  }
  store<u8>(MSG_BUF + <usize>n, 0);
  hostAbort(MSG_BUF);
}

/** abortCString aborts with a NUL-terminated message already in memory. */
export function abortCString(addr: usize): void {
  hostAbort(addr);
}

/** asAbort is the target of asc's `--use abort=`, so stray stdlib asserts never import env.abort. */
export function asAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  if (message !== null) abortWith(message);
  abortWith("internal runtime error");
}

// ---- strict mode and builtin call location (set by generated code, read by builtins) ----

// @ts-ignore: decorator
@lazy let strictFlag: i32 = 0;
// @ts-ignore: decorator
@lazy let locationAddr: usize = 0;

/** setStrict records whether builtin errors abort (1) or yield undefined (0). */
export function setStrict(b: i32): void {
  strictFlag = b;
}
/** isStrict tells whether builtin errors must abort instead of yielding undefined. */
export function isStrict(): bool {
  return strictFlag != 0;
}
/** setLocation records the NUL-terminated "file:row" of the builtin call about to run. */
export function setLocation(addr: usize): void {
  locationAddr = addr;
}
/** currentLocation returns the address of the NUL-terminated "file:row" of the current builtin call (0 if unset). */
export function currentLocation(): usize {
  return locationAddr;
}
