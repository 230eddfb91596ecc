// Number builtins of the "data" family: round, ceil, floor, numbers.range, numbers.range_step
// and the bitwise bits.* builtins. Integers are handled as i64 (results beyond 2^53 keep their
// exact decimal text); integral literals keep their text through round/ceil/floor.
// Exports: the bi_* functions, intNumber (i64 -> NUMBER) and intOf (integral NUMBER -> i64).

import {
  T_NUMBER, listPush, newArray, newNumber, newNumberText, numberHasText, numberOf, numberTextLen,
  numberTextPtr, tagOf,
} from "../../value";
import { bufAscii, bufByte, bufI64, bufLen, bufNew, bufPtr } from "../../buf";
import { builtinError, builtinErrorBuf, operandError } from "../errors";

const EXACT: i64 = 9007199254740992; // 2^53

/** intNumber makes a NUMBER from an i64, with exact decimal text when |n| > 2^53. */
export function intNumber(n: i64): usize {
  const f = <f64>n;
  if (n >= -EXACT && n <= EXACT) return newNumber(f);
  const b = bufNew(24);
  bufI64(b, n);
  return newNumberText(f, bufPtr(b), bufLen(b));
}

/** textIsInteger tells whether a NUMBER's literal text is a plain (optionally negative) integer. */
function textIsInteger(v: usize): bool {
  if (!numberHasText(v)) return false;
  const p = numberTextPtr(v);
  const n = numberTextLen(v);
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + <usize>i);
    if (!(c >= 48 && c <= 57) && !(i == 0 && c == 45)) return false;
  }
  return true;
}

/** isIntegral tells whether a NUMBER holds an integer value. */
function isIntegral(v: usize): bool {
  if (textIsInteger(v)) return true;
  const f = numberOf(v);
  return Math.floor(f) == f && isFinite(f);
}

/** intOf reads an integral NUMBER as i64 (exact from literal text within the i64 range). */
export function intOf(v: usize): i64 {
  if (textIsInteger(v)) {
    const p = numberTextPtr(v);
    const n = numberTextLen(v);
    let i: u32 = 0;
    let neg = false;
    if (load<u8>(p) == 45) {
      neg = true;
      i = 1;
    }
    if (n - i <= 18) {
      let acc: i64 = 0;
      for (; i < n; i++) acc = acc * 10 + <i64>(load<u8>(p + <usize>i) - 48);
      return neg ? -acc : acc;
    }
  }
  return <i64>numberOf(v);
}

function intOperandError(fn: string, pos: i32): usize {
  const b = bufNew(96);
  bufAscii(b, fn);
  bufAscii(b, ": operand ");
  bufByte(b, 48 + <u32>pos);
  bufAscii(b, " must be integer number but got floating-point number");
  return builtinErrorBuf("eval_type_error", b);
}

function rounding(fn: string, a: usize, mode: i32): usize {
  if (a == 0) return 0;
  if (tagOf(a) != T_NUMBER) return operandError(fn, 1, "number", a);
  if (textIsInteger(a)) return a;
  const f = numberOf(a);
  let r: f64;
  if (mode == 0) {
    // Half away from zero.
    r = f < 0 ? -Math.floor(-f + 0.5) : Math.floor(f + 0.5);
    if (Math.abs(f) >= 4503599627370496.0) r = f; // already integral; +0.5 would round wrongly
  } else if (mode > 0) {
    r = Math.ceil(f);
  } else {
    r = Math.floor(f);
  }
  if (r == 0) r = 0; // no negative zero
  return newNumber(r);
}

/** bi_round rounds a number to the nearest integer, halves away from zero. */
export function bi_round(a: usize): usize {
  return rounding("round", a, 0);
}

/** bi_ceil rounds a number up to the nearest integer. */
export function bi_ceil(a: usize): usize {
  return rounding("ceil", a, 1);
}

/** bi_floor rounds a number down to the nearest integer. */
export function bi_floor(a: usize): usize {
  return rounding("floor", a, -1);
}

function range(fn: string, a: usize, b: usize, s: usize, hasStep: bool): usize {
  if (a == 0 || b == 0 || (hasStep && s == 0)) return 0;
  if (tagOf(a) != T_NUMBER) return operandError(fn, 1, "number", a);
  if (tagOf(b) != T_NUMBER) return operandError(fn, 2, "number", b);
  if (hasStep && tagOf(s) != T_NUMBER) return operandError(fn, 3, "number", s);
  if (!isIntegral(a)) return intOperandError(fn, 1);
  if (!isIntegral(b)) return intOperandError(fn, 2);
  let step: i64 = 1;
  if (hasStep) {
    if (!isIntegral(s)) return intOperandError(fn, 3);
    step = intOf(s);
    if (step <= 0) return builtinError("eval_builtin_error", "numbers.range_step: step must be a positive number above zero");
  }
  const x = intOf(a);
  const y = intOf(b);
  const span = x <= y ? y - x : x - y;
  const n = span / step + 1;
  if (n > 100000000) return builtinError("eval_builtin_error", "numbers.range: range too large");
  const out = newArray(<u32>n);
  if (x <= y) {
    for (let v = x; v <= y; v += step) listPush(out, intNumber(v));
  } else {
    for (let v = x; v >= y; v -= step) listPush(out, intNumber(v));
  }
  return out;
}

/** bi_numbers_range returns the integers from a to b inclusive (descending when b < a). */
export function bi_numbers_range(a: usize, b: usize): usize {
  return range("numbers.range", a, b, 0, false);
}

/** bi_numbers_range_step returns the integers from a towards b inclusive in steps of step (> 0). */
export function bi_numbers_range_step(a: usize, b: usize, step: usize): usize {
  return range("numbers.range_step", a, b, step, true);
}

function intArgs(fn: string, a: usize, b: usize, binary: bool): bool {
  if (a == 0 || (binary && b == 0)) return false;
  if (tagOf(a) != T_NUMBER) {
    operandError(fn, 1, "number", a);
    return false;
  }
  if (binary && tagOf(b) != T_NUMBER) {
    operandError(fn, 2, "number", b);
    return false;
  }
  if (!isIntegral(a)) {
    intOperandError(fn, 1);
    return false;
  }
  if (binary && !isIntegral(b)) {
    intOperandError(fn, 2);
    return false;
  }
  return true;
}

/** bi_bits_and returns the bitwise AND of two integers. */
export function bi_bits_and(a: usize, b: usize): usize {
  if (!intArgs("bits.and", a, b, true)) return 0;
  return intNumber(intOf(a) & intOf(b));
}

/** bi_bits_or returns the bitwise OR of two integers. */
export function bi_bits_or(a: usize, b: usize): usize {
  if (!intArgs("bits.or", a, b, true)) return 0;
  return intNumber(intOf(a) | intOf(b));
}

/** bi_bits_xor returns the bitwise XOR of two integers. */
export function bi_bits_xor(a: usize, b: usize): usize {
  if (!intArgs("bits.xor", a, b, true)) return 0;
  return intNumber(intOf(a) ^ intOf(b));
}

/** bi_bits_negate returns the bitwise complement of an integer (-x - 1). */
export function bi_bits_negate(a: usize): usize {
  if (!intArgs("bits.negate", a, 0, false)) return 0;
  return intNumber(~intOf(a));
}

function shiftCount(fn: string, b: usize): i64 {
  const s = intOf(b);
  if (s < 0) {
    const m = bufNew(96);
    bufAscii(m, fn);
    bufAscii(m, ": operand 2 must be an unsigned integer number but got a negative integer");
    builtinErrorBuf("eval_type_error", m);
  }
  return s;
}

/** bi_bits_lsh shifts an integer left by a non-negative count. */
export function bi_bits_lsh(a: usize, b: usize): usize {
  if (!intArgs("bits.lsh", a, b, true)) return 0;
  const s = shiftCount("bits.lsh", b);
  if (s < 0) return 0;
  const x = intOf(a);
  if (s >= 63 || (x != 0 && (x << s) >> s != x)) {
    // Beyond i64: exact only as a power-of-two product in f64.
    return newNumber(<f64>x * Math.pow(2, <f64>s));
  }
  return intNumber(x << s);
}

/** bi_bits_rsh shifts an integer right (arithmetically) by a non-negative count. */
export function bi_bits_rsh(a: usize, b: usize): usize {
  if (!intArgs("bits.rsh", a, b, true)) return 0;
  const s = shiftCount("bits.rsh", b);
  if (s < 0) return 0;
  const x = intOf(a);
  if (s >= 63) return intNumber(x < 0 ? -1 : 0);
  return intNumber(x >> s);
}
