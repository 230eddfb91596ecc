// Shared helpers of the "text" builtin family: operand checks with OPA's messages, rune counting
// and generic builtin errors. Exports: intOperand, intOk, genericError, stringList.

import { T_ARRAY, T_NUMBER, T_SET, T_STRING, listGet, listLen, newArray, numberOf, tagOf, listPush } from "../../value";
import { bufAscii, bufNew } from "../../buf";
import { builtinErrorBuf, operandError, typeNameOf } from "../errors";

// @ts-ignore: decorator
@lazy let lastInt: i64 = 0;
// @ts-ignore: decorator
@lazy let intFailed = false;

/**
 * intOperand checks that v is an integral number (OPA's IntOperand); on success returns 1 and
 * leaves the value in intOk(), otherwise reports the type error and returns 0.
 */
export function intOperand(fn: string, pos: i32, v: usize): usize {
  intFailed = true;
  if (tagOf(v) != T_NUMBER) return operandError(fn, pos, "number", v);
  const f = numberOf(v);
  if (!isFinite(f) || Math.floor(f) != f) {
    const b = bufNew(96);
    bufAscii(b, fn);
    bufAscii(b, ": operand ");
    bufAscii(b, pos == 1 ? "1" : pos == 2 ? "2" : pos == 3 ? "3" : "4");
    bufAscii(b, " must be integer number but got floating-point number");
    return builtinErrorBuf("eval_type_error", b);
  }
  intFailed = false;
  lastInt = <i64>f;
  return 1;
}

/** intOk returns the integer read by the last successful intOperand. */
export function intOk(): i64 {
  return intFailed ? 0 : lastInt;
}

/** genericError reports `<fn>: <msg>` as an eval_builtin_error (a Go error returned by a builtin); returns 0. */
export function genericError(fn: string, msg: string): usize {
  const b = bufNew(64);
  bufAscii(b, fn);
  bufAscii(b, ": ");
  bufAscii(b, msg);
  return builtinErrorBuf("eval_builtin_error", b);
}

/**
 * stringList normalises operand pos of fn (a string, or an array/set of strings) into an ARRAY of
 * STRING values; reports OPA's type errors and returns 0 otherwise.
 */
export function stringList(fn: string, pos: i32, v: usize): usize {
  const t = tagOf(v);
  if (t == T_STRING) {
    const a = newArray(1);
    listPush(a, v);
    return a;
  }
  if (t != T_ARRAY && t != T_SET) return operandError(fn, pos, "one of {string, set, array}", v);
  const n = listLen(v);
  for (let i: u32 = 0; i < n; i++) {
    const item = listGet(v, i);
    if (tagOf(item) != T_STRING) {
      const b = bufNew(96);
      bufAscii(b, fn);
      bufAscii(b, ": operand ");
      bufAscii(b, pos == 1 ? "1" : "2");
      const kind = t == T_ARRAY ? "array" : "set";
      bufAscii(b, " must be ");
      bufAscii(b, kind);
      bufAscii(b, " of strings but got ");
      bufAscii(b, kind);
      bufAscii(b, " containing ");
      bufAscii(b, typeNameOf(item));
      return builtinErrorBuf("eval_type_error", b);
    }
  }
  return v;
}
