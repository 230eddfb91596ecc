// Bitwise builtins of the "data" family: bits.and, bits.or, bits.xor, bits.negate, bits.lsh and
// bits.rsh on integers of any size, as OPA computes them with Go's big.Int (two's complement with
// unbounded sign extension). Small operands use i64; others a sign and a magnitude Nat (bignat.ts),
// with the negative cases rewritten through -x = ~(x - 1). Exports: the bi_bits_* functions.

import { T_NUMBER, alloc, newNumberText, tagOf } from "../../value";
import { bufAscii, bufByte, bufBytes, bufLen, bufNew, bufPtr } from "../../buf";
import { numberIsSafeInt, parseNumberText } from "../../number-format";
import { builtinError, builtinErrorBuf, operandError } from "../errors";
import { decFromNumber, decIsInt, decLen, decNeg, decToBuf } from "../decimal";
import {
  NAT_AND, NAT_AND_NOT, NAT_OR, NAT_XOR, natAddSmall, natBitLen, natBitwise, natDecimalLen,
  natFromDecimal, natIsZero, natLow64, natShl, natShr, natSubSmall, natToDecimal,
} from "../bignat";
import { intNumber, intOf, intOperandError } from "./numbers";

/** MAX_BITS bounds the size of a bits.lsh result (OPA has no bound; beyond this it is an error). */
const MAX_BITS: i32 = 65536;

// A signed integer: 8-byte record [u32 neg][u32 magnitude Nat]; zero is never negative.
function newInt(neg: bool, mag: usize): usize {
  const r = alloc(8);
  store<u32>(r, neg && !natIsZero(mag) ? 1 : 0);
  store<u32>(r, <u32>mag, 4);
  return r;
}

// @ts-ignore: decorator
@inline function isNeg(x: usize): bool { return load<u32>(x) != 0; }
// @ts-ignore: decorator
@inline function magOf(x: usize): usize { return <usize>load<u32>(x, 4); }

/** intValue reads an integral NUMBER (any spelling) as a signed integer, or returns 0. */
function intValue(v: usize): usize {
  const d = decFromNumber(v);
  if (d == 0 || !decIsInt(d)) return 0;
  const b = bufNew(decLen(d) + 2);
  decToBuf(b, d);
  const sign: u32 = decNeg(d) ? 1 : 0;
  return newInt(decNeg(d), natFromDecimal(bufPtr(b) + <usize>sign, bufLen(b) - sign));
}

/** intResult makes the NUMBER of a signed integer, with its exact decimal text. */
function intResult(x: usize): usize {
  const digits = natToDecimal(magOf(x));
  const n = <u32>natDecimalLen();
  const b = bufNew(n + 1);
  if (isNeg(x)) bufByte(b, 45);
  bufBytes(b, digits, n);
  return newNumberText(parseNumberText(bufPtr(b), bufLen(b)), bufPtr(b), bufLen(b));
}

// @ts-ignore: decorator
@inline function less1(m: usize): usize { return natSubSmall(m, 1); }
// @ts-ignore: decorator
@inline function plus1(m: usize): usize { return natAddSmall(m, 1); }

/** bigAnd returns x & y. */
function bigAnd(x: usize, y: usize): usize {
  const a = magOf(x);
  const b = magOf(y);
  if (!isNeg(x) && !isNeg(y)) return newInt(false, natBitwise(a, b, NAT_AND));
  if (isNeg(x) && isNeg(y)) return newInt(true, plus1(natBitwise(less1(a), less1(b), NAT_OR)));
  return isNeg(x) ? newInt(false, natBitwise(b, less1(a), NAT_AND_NOT)) : newInt(false, natBitwise(a, less1(b), NAT_AND_NOT));
}

/** bigOr returns x | y. */
function bigOr(x: usize, y: usize): usize {
  const a = magOf(x);
  const b = magOf(y);
  if (!isNeg(x) && !isNeg(y)) return newInt(false, natBitwise(a, b, NAT_OR));
  if (isNeg(x) && isNeg(y)) return newInt(true, plus1(natBitwise(less1(a), less1(b), NAT_AND)));
  return isNeg(x) ? newInt(true, plus1(natBitwise(less1(a), b, NAT_AND_NOT))) : newInt(true, plus1(natBitwise(less1(b), a, NAT_AND_NOT)));
}

/** bigXor returns x ^ y. */
function bigXor(x: usize, y: usize): usize {
  const a = magOf(x);
  const b = magOf(y);
  if (!isNeg(x) && !isNeg(y)) return newInt(false, natBitwise(a, b, NAT_XOR));
  if (isNeg(x) && isNeg(y)) return newInt(false, natBitwise(less1(a), less1(b), NAT_XOR));
  return isNeg(x) ? newInt(true, plus1(natBitwise(less1(a), b, NAT_XOR))) : newInt(true, plus1(natBitwise(a, less1(b), NAT_XOR)));
}

const AND: i32 = 0;
const OR: i32 = 1;
const XOR: i32 = 2;

/** isSmall tells whether both values are numbers that i64 arithmetic handles exactly. */
function isSmall(a: usize, b: usize): bool {
  return tagOf(a) == T_NUMBER && tagOf(b) == T_NUMBER && numberIsSafeInt(a) && numberIsSafeInt(b);
}

/** intOperand reads operand pos of fn as a signed integer, or reports OPA's error and returns 0. */
function intOperand(fn: string, pos: i32, v: usize): usize {
  if (tagOf(v) != T_NUMBER) return operandError(fn, pos, "number", v);
  const x = intValue(v);
  return x != 0 ? x : intOperandError(fn, pos);
}

function logic(fn: string, op: i32, a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (isSmall(a, b)) {
    const x = intOf(a);
    const y = intOf(b);
    return intNumber(op == AND ? x & y : op == OR ? x | y : x ^ y);
  }
  const x = intOperand(fn, 1, a);
  if (x == 0) return 0;
  const y = intOperand(fn, 2, b);
  if (y == 0) return 0;
  return intResult(op == AND ? bigAnd(x, y) : op == OR ? bigOr(x, y) : bigXor(x, y));
}

/** bi_bits_and returns the bitwise AND of two integers. */
export function bi_bits_and(a: usize, b: usize): usize {
  return logic("bits.and", AND, a, b);
}

/** bi_bits_or returns the bitwise OR of two integers. */
export function bi_bits_or(a: usize, b: usize): usize {
  return logic("bits.or", OR, a, b);
}

/** bi_bits_xor returns the bitwise XOR of two integers. */
export function bi_bits_xor(a: usize, b: usize): usize {
  return logic("bits.xor", XOR, a, b);
}

/** bi_bits_negate returns the bitwise complement of an integer (-x - 1). */
export function bi_bits_negate(a: usize): usize {
  if (a == 0) return 0;
  if (isSmall(a, a)) return intNumber(~intOf(a));
  const x = intOperand("bits.negate", 1, a);
  if (x == 0) return 0;
  return intResult(isNeg(x) ? newInt(false, less1(magOf(x))) : newInt(true, plus1(magOf(x))));
}

/** negativeShift reports a negative shift count. */
function negativeShift(fn: string): usize {
  const m = bufNew(96);
  bufAscii(m, fn);
  bufAscii(m, ": operand 2 must be an unsigned integer number but got a negative integer");
  return builtinErrorBuf("eval_type_error", m);
}

/** shiftCount validates a shift's operands and returns the count as a signed integer, or 0
 * after reporting an error. */
function shiftCount(fn: string, a: usize, b: usize): usize {
  if (intOperand(fn, 1, a) == 0) return 0;
  const s = intOperand(fn, 2, b);
  if (s == 0) return 0;
  return isNeg(s) ? negativeShift(fn) : s;
}

/** smallShift tells whether a shift of a by b can run on i64 (safe integers, count below 63). */
function smallShift(a: usize, b: usize): bool {
  if (!isSmall(a, b)) return false;
  const s = intOf(b);
  return s >= 0 && s < 63;
}

/** bi_bits_lsh shifts an integer left by a non-negative count. */
export function bi_bits_lsh(a: usize, b: usize): usize {
  if (a != 0 && b != 0 && smallShift(a, b)) {
    const x = intOf(a);
    const s = intOf(b);
    if ((x << s) >> s == x) return intNumber(x << s);
  }
  const s = shiftCount("bits.lsh", a, b);
  if (s == 0) return 0;
  const x = intValue(a);
  if (natIsZero(magOf(x))) return intResult(x);
  const count = magOf(s);
  if (natBitLen(count) > 31 || natBitLen(magOf(x)) + <i32>natLow64(count) > MAX_BITS) {
    return builtinError("eval_builtin_error", "bits.lsh: result exceeds 65536 bits");
  }
  return intResult(newInt(isNeg(x), natShl(magOf(x), <i32>natLow64(count))));
}

/** bi_bits_rsh shifts an integer right arithmetically (rounding towards -inf) by a non-negative count. */
export function bi_bits_rsh(a: usize, b: usize): usize {
  if (a != 0 && b != 0 && smallShift(a, b)) return intNumber(intOf(a) >> intOf(b));
  const s = shiftCount("bits.rsh", a, b);
  if (s == 0) return 0;
  const x = intValue(a);
  const count = magOf(s);
  const bits = natBitLen(count) > 31 ? 0x7fffffff : <i32>natLow64(count);
  if (!isNeg(x)) return intResult(newInt(false, natShr(magOf(x), bits)));
  return intResult(newInt(true, plus1(natShr(less1(magOf(x)), bits))));
}
