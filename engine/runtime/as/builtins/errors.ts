// Builtin error reporting: every native builtin reports a type or builtin error through
// builtinError / builtinErrorBuf (one path), which yields 0 (undefined) in the default mode and,
// when strict mode is on (rt_set_strict), aborts with "file:row: code: message".
// Exports: builtinError, builtinErrorBuf, operandError, typeNameOf, writeTypeName.

import { T_ARRAY, T_BOOLEAN, T_NULL, T_NUMBER, T_OBJECT, T_SET, T_STRING, tagOf } from "../value";
import { bufAscii, bufBytes, bufByte, bufNew, bufToCString } from "../buf";
import { currentLocation, hostAbort, isStrict } from "../host";

/** builtinErrorBuf reports the message held in buffer msg with code ('eval_type_error' | 'eval_builtin_error'); returns 0. */
export function builtinErrorBuf(code: string, msg: usize): usize {
  if (isStrict()) {
    const b = bufNew(128);
    const loc = currentLocation();
    if (loc != 0) {
      let n: u32 = 0;
      while (load<u8>(loc + <usize>n) != 0) n++;
      bufBytes(b, loc, n);
      bufAscii(b, ": ");
    }
    bufAscii(b, code);
    bufAscii(b, ": ");
    bufBytes(b, <usize>load<u32>(msg), load<u32>(msg, 4));
    hostAbort(bufToCString(b));
  }
  return 0;
}

/** builtinError reports an error with a literal ASCII message (e.g. "div: divide by zero"); returns 0. */
export function builtinError(code: string, message: string): usize {
  const b = bufNew(<u32>message.length);
  bufAscii(b, message);
  return builtinErrorBuf(code, b);
}

/** typeNameOf returns OPA's type name of a value ("undefined" for 0). */
export function typeNameOf(v: usize): string {
  switch (tagOf(v)) {
    case T_NULL: return "null";
    case T_BOOLEAN: return "boolean";
    case T_NUMBER: return "number";
    case T_STRING: return "string";
    case T_ARRAY: return "array";
    case T_OBJECT: return "object";
    case T_SET: return "set";
  }
  return "undefined";
}

/** writeTypeName appends OPA's type name of v to buffer b. */
export function writeTypeName(b: usize, v: usize): void {
  bufAscii(b, typeNameOf(v));
}

/**
 * operandError reports `<fn>: operand <pos> must be <expected> but got <type>` as an
 * eval_type_error; expected is e.g. "number" or "one of {array, object, set, string}". Returns 0.
 */
export function operandError(fn: string, pos: i32, expected: string, got: usize): usize {
  const b = bufNew(96);
  bufAscii(b, fn);
  bufAscii(b, ": operand ");
  bufByte(b, 48 + <u32>pos);
  bufAscii(b, " must be ");
  bufAscii(b, expected);
  bufAscii(b, " but got ");
  writeTypeName(b, got);
  return builtinErrorBuf("eval_type_error", b);
}
