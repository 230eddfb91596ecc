// Arithmetic, set and comparison operators and membership: plus, minus, mul, div, rem, and, or,
// equal, neq, lt, lte, gt, gte, internal.member_2, internal.member_3. Numbers follow OPA: small
// integers in f64, other integers exactly through decimal.ts (division excepted), everything
// else as OPA's 64-bit-mantissa binary floats (bigfloat.ts) printed OPA's way (bigfloat-text.ts).
// Exports the bi_* functions plus numAdd/numMul.

import {
  T_ARRAY, T_NUMBER, T_OBJECT, T_SET,
  boolValue, listGet, listLen, newNumber, newSet, numberOf, objLen, objValAt, tagOf,
} from "../value";
import { compare, equal } from "../compare";
import { arrayIndexOf, objectGet, setAdd, setContains, setDifference } from "../collections";
import { numberIsSafeInt } from "../number-format";
import { builtinError, operandError } from "./errors";
import { decAdd, decFromNumber, decIsInt, decIsZero, decMul, decRem, decSub, decToNumber } from "./decimal";
import { PREC, fAddAt, fFromNumber, fIsZero, fMulAt, fQuoAt, fSubAt } from "./bigfloat";
import { fToNumber } from "./bigfloat-text";

const MAX_SAFE: f64 = 9007199254740992;

const OP_ADD: i32 = 0;
const OP_SUB: i32 = 1;
const OP_MUL: i32 = 2;

/** isIntPair tells whether both NUMBERs are integers (any size, any spelling), as decimals. */
function isIntPair(da: usize, db: usize): bool {
  return da != 0 && db != 0 && decIsInt(da) && decIsInt(db);
}

/** floatArith applies op to a and b as OPA's big.Floats, or returns 0 when either is out of range. */
function floatArith(op: i32, a: usize, b: usize): usize {
  const x = fFromNumber(a);
  const y = fFromNumber(b);
  if (x == 0 || y == 0) return 0;
  return fToNumber(op == OP_ADD ? fAddAt(x, y, PREC) : op == OP_SUB ? fSubAt(x, y, PREC) : fMulAt(x, y, PREC));
}

function arith(op: i32, a: usize, b: usize): usize {
  const x = numberOf(a);
  const y = numberOf(b);
  if (numberIsSafeInt(a) && numberIsSafeInt(b)) {
    const r = op == OP_ADD ? x + y : op == OP_SUB ? x - y : x * y;
    if (Math.abs(r) < MAX_SAFE) return newNumber(r == 0 ? 0 : r);
  }
  const da = decFromNumber(a);
  const db = decFromNumber(b);
  if (isIntPair(da, db)) return decToNumber(op == OP_ADD ? decAdd(da, db) : op == OP_SUB ? decSub(da, db) : decMul(da, db));
  const r = floatArith(op, a, b);
  if (r != 0) return r;
  // Exponents beyond bigfloat.ts's range: the nearest f64s.
  return newNumber(op == OP_ADD ? x + y : op == OP_SUB ? x - y : x * y);
}

/** numAdd adds two NUMBER values as OPA's plus does. */
export function numAdd(a: usize, b: usize): usize {
  return arith(OP_ADD, a, b);
}

/** numMul multiplies two NUMBER values as OPA's mul does. */
export function numMul(a: usize, b: usize): usize {
  return arith(OP_MUL, a, b);
}

/** bi_plus adds two numbers. */
export function bi_plus(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_NUMBER) return operandError("plus", 1, "number", a);
  if (tagOf(b) != T_NUMBER) return operandError("plus", 2, "number", b);
  return arith(OP_ADD, a, b);
}

/** bi_minus subtracts numbers or computes the difference of two sets. */
export function bi_minus(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  const ta = tagOf(a);
  if (ta == T_NUMBER) {
    if (tagOf(b) != T_NUMBER) return operandError("minus", 2, "number", b);
    return arith(OP_SUB, a, b);
  }
  if (ta == T_SET) {
    if (tagOf(b) != T_SET) return operandError("minus", 2, "set", b);
    return setDifference(a, b);
  }
  return operandError("minus", 1, "one of {number, set}", a);
}

/** bi_mul multiplies two numbers. */
export function bi_mul(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_NUMBER) return operandError("mul", 1, "number", a);
  if (tagOf(b) != T_NUMBER) return operandError("mul", 2, "number", b);
  return arith(OP_MUL, a, b);
}

function divideByZero(): usize {
  return builtinError("eval_builtin_error", "div: divide by zero");
}

/** bi_div divides two numbers: an integer when small integers divide exactly, otherwise OPA's
 * 64-bit-mantissa quotient (so 1 / 3 is 0.33333333333333333334); a zero divisor is an error. */
export function bi_div(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_NUMBER) return operandError("div", 1, "number", a);
  if (tagOf(b) != T_NUMBER) return operandError("div", 2, "number", b);
  const x = numberOf(a);
  const y = numberOf(b);
  if (numberIsSafeInt(a) && numberIsSafeInt(b)) {
    if (y == 0) return divideByZero();
    if (x != 0 && x % y == 0) return newNumber(x / y);
  }
  const fx = fFromNumber(a);
  const fy = fFromNumber(b);
  if (fx == 0 || fy == 0) {
    // Exponents beyond bigfloat.ts's range: the nearest f64s.
    if (y == 0) return divideByZero();
    return newNumber(x / y);
  }
  if (fIsZero(fy)) return divideByZero();
  return fToNumber(fQuoAt(fx, fy, PREC));
}

/** bi_rem returns the remainder of integer division (sign of the dividend). */
export function bi_rem(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_NUMBER) return operandError("rem", 1, "number", a);
  if (tagOf(b) != T_NUMBER) return operandError("rem", 2, "number", b);
  const x = numberOf(a);
  const y = numberOf(b);
  if (numberIsSafeInt(a) && numberIsSafeInt(b)) {
    if (y == 0) return builtinError("eval_builtin_error", "rem: modulo by zero");
    const r = x % y;
    return newNumber(r == 0 ? 0 : r);
  }
  const da = decFromNumber(a);
  const db = decFromNumber(b);
  if (!isIntPair(da, db)) {
    return builtinError("eval_builtin_error", "rem: modulo on floating-point number");
  }
  if (decIsZero(db)) return builtinError("eval_builtin_error", "rem: modulo by zero");
  return decToNumber(decRem(da, db));
}

/** bi_and intersects two sets. */
export function bi_and(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_SET) return operandError("and", 1, "set", a);
  if (tagOf(b) != T_SET) return operandError("and", 2, "set", b);
  const n = listLen(a);
  const out = newSet(n);
  for (let i: u32 = 0; i < n; i++) {
    const v = listGet(a, i);
    if (setContains(b, v)) setAdd(out, v);
  }
  return out;
}

/** bi_or unions two sets. */
export function bi_or(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_SET) return operandError("or", 1, "set", a);
  if (tagOf(b) != T_SET) return operandError("or", 2, "set", b);
  const out = newSet(listLen(a) + listLen(b));
  for (let i: u32 = 0; i < listLen(a); i++) setAdd(out, listGet(a, i));
  for (let i: u32 = 0; i < listLen(b); i++) setAdd(out, listGet(b, i));
  return out;
}

/** bi_equal compares two values for equality. */
export function bi_equal(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  return boolValue(equal(a, b));
}

/** bi_neq compares two values for inequality. */
export function bi_neq(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  return boolValue(!equal(a, b));
}

/** bi_lt orders two values (Rego's total order). */
export function bi_lt(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  return boolValue(compare(a, b) < 0);
}

/** bi_lte orders two values (Rego's total order). */
export function bi_lte(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  return boolValue(compare(a, b) <= 0);
}

/** bi_gt orders two values (Rego's total order). */
export function bi_gt(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  return boolValue(compare(a, b) > 0);
}

/** bi_gte orders two values (Rego's total order). */
export function bi_gte(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  return boolValue(compare(a, b) >= 0);
}

/** bi_internal_member_2 tells whether x is an element of an array or set, or a value of an object. */
export function bi_internal_member_2(x: usize, coll: usize): usize {
  if (x == 0 || coll == 0) return 0;
  switch (tagOf(coll)) {
    case T_SET:
      return boolValue(setContains(coll, x));
    case T_ARRAY: {
      const n = listLen(coll);
      for (let i: u32 = 0; i < n; i++) if (equal(listGet(coll, i), x)) return boolValue(true);
      return boolValue(false);
    }
    case T_OBJECT: {
      const n = objLen(coll);
      for (let i: u32 = 0; i < n; i++) if (equal(objValAt(coll, i), x)) return boolValue(true);
      return boolValue(false);
    }
  }
  return boolValue(false);
}

/** bi_internal_member_3 tells whether coll[k] == v for an array (integral k) or object. */
export function bi_internal_member_3(k: usize, v: usize, coll: usize): usize {
  if (k == 0 || v == 0 || coll == 0) return 0;
  switch (tagOf(coll)) {
    case T_ARRAY: {
      const i = arrayIndexOf(k, listLen(coll));
      return boolValue(i >= 0 && equal(listGet(coll, <u32>i), v));
    }
    case T_OBJECT:
      return boolValue(equal(objectGet(coll, k), v));
  }
  return boolValue(false);
}
