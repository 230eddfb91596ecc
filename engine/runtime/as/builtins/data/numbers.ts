// Number builtins of the "data" family: round, ceil, floor (OPA's big.Float semantics through
// bigfloat.ts), numbers.range and numbers.range_step (i64; results beyond 2^53 keep their exact
// decimal text). The bits.* builtins live in bits.ts.
// Exports: the bi_* functions, intNumber (i64 -> NUMBER), intOf (integral NUMBER -> i64) and
// intOperandError.

import {
  T_NUMBER, listPush, newArray, newNumber, newNumberText, numberHasText, numberOf, numberTextLen,
  numberTextPtr, tagOf,
} from "../../value";
import { bufAscii, bufByte, bufI64, bufLen, bufNew, bufPtr } from "../../buf";
import { builtinError, builtinErrorBuf, operandError } from "../errors";
import { numberIsSafeInt } from "../../number-format";
import { fCeil, fFloor, fFromNumber, fRoundHalfAway } from "../bigfloat";
import { fToNumber } from "../bigfloat-text";

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

/** intOperandError reports a non-integer operand (OPA: "must be integer number but got floating-point number"). */
export function intOperandError(fn: string, pos: i32): usize {
  const b = bufNew(96);
  bufAscii(b, fn);
  bufAscii(b, ": operand ");
  bufByte(b, 48 + <u32>pos);
  bufAscii(b, " must be integer number but got floating-point number");
  return builtinErrorBuf("eval_type_error", b);
}

const ROUND: i32 = 0;
const CEIL: i32 = 1;
const FLOOR: i32 = -1;

/** rounding is OPA's round/ceil/floor: small integers unchanged, everything else through
 * OPA's 64-bit-mantissa floats (bigfloat.ts), so big integers round to 64 significant bits. */
function rounding(fn: string, a: usize, mode: i32): usize {
  if (a == 0) return 0;
  if (tagOf(a) != T_NUMBER) return operandError(fn, 1, "number", a);
  if (numberIsSafeInt(a)) return newNumber(numberOf(a) == 0 ? 0 : numberOf(a));
  const x = fFromNumber(a);
  if (x == 0) return roundF64(numberOf(a), mode);
  return fToNumber(mode == ROUND ? fRoundHalfAway(x) : mode == CEIL ? fCeil(x) : fFloor(x));
}

/** roundF64 rounds an f64 (numbers beyond bigfloat.ts's exponent range). */
function roundF64(f: f64, mode: i32): usize {
  let r = mode == ROUND ? (f < 0 ? -Math.floor(-f + 0.5) : Math.floor(f + 0.5)) : mode == CEIL ? Math.ceil(f) : Math.floor(f);
  if (Math.abs(f) >= 4503599627370496.0) r = f; // already integral; +0.5 would round wrongly
  return newNumber(r == 0 ? 0 : r);
}

/** bi_round rounds a number to the nearest integer, halves away from zero. */
export function bi_round(a: usize): usize {
  return rounding("round", a, ROUND);
}

/** bi_ceil rounds a number up to the nearest integer. */
export function bi_ceil(a: usize): usize {
  return rounding("ceil", a, CEIL);
}

/** bi_floor rounds a number down to the nearest integer. */
export function bi_floor(a: usize): usize {
  return rounding("floor", a, FLOOR);
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
