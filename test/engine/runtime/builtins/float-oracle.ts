// An independent model of how OPA prints non-integer arithmetic, written with BigInt rationals for
// the tests of engine/runtime/as/builtins/bigfloat*.ts: numbers read as Go's big.Float SetString
// reads them (precision 64, nearest with ties to even), one correctly rounded operation, then the
// shortest decimal inside the rounding interval printed as Go's Text('f', -1) for integers and
// Text('g', -1) otherwise. It shares no code or algorithm with the runtime: rounding is a
// rational comparison, and the shortest decimal is found by trying 1, 2, 3… significant digits.

/** Float is sign * m * 2^e with m < 2^prec (m = 0 for zero). */
export type Float = { readonly neg: boolean; readonly m: bigint; readonly e: number; readonly prec: number };

const bitLength = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);
const pow2 = (n: number): bigint => 1n << BigInt(n);
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** roundRatio rounds (-1)^neg * num / den * 2^e (num, den > 0) to prec bits, ties to even. */
export function roundRatio(neg: boolean, num: bigint, den: bigint, e: number, prec: number): Float {
  // Pick k so that q = num * 2^k / den has exactly prec bits.
  let k = prec - (bitLength(num) - bitLength(den));
  const scaled = (kk: number): [bigint, bigint] => (kk >= 0 ? [num * pow2(kk), den] : [num, den * pow2(-kk)]);
  let [n, d] = scaled(k);
  if (n / d >= pow2(prec)) [n, d] = scaled(--k);
  if (n / d < pow2(prec - 1)) [n, d] = scaled(++k);
  let q = n / d;
  const r2 = 2n * (n % d);
  if (r2 > d || (r2 === d && q % 2n === 1n)) q += 1n;
  if (q === pow2(prec)) {
    q >>= 1n;
    k -= 1;
  }
  return { neg, m: q, e: e - k, prec };
}

/** Go's pow5 for exponents past 5^27: repeated squaring rounded to 128 and 192 bits. */
function goPow5(n: number): Float {
  if (n <= 27) return { neg: false, m: 5n ** BigInt(n), e: 0, prec: 128 };
  let z: Float = { neg: false, m: 5n ** 27n, e: 0, prec: 128 };
  let f: Float = { neg: false, m: 5n, e: 0, prec: 192 };
  for (let k = n - 27; k > 0; k >>= 1) {
    if (k & 1) z = roundRatio(false, z.m * f.m, 1n, z.e + f.e, 128);
    f = roundRatio(false, f.m * f.m, 1n, 2 * f.e, 192);
  }
  return z;
}

/** parse reads JSON number text as Go's new(big.Float).SetString does. */
export function parse(text: string): Float {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m) throw new Error(`not a number: ${text}`);
  const neg = m[1] === '-';
  const frac = m[3] ?? '';
  const digits = BigInt(m[2]! + frac);
  if (digits === 0n) return { neg, m: 0n, e: 0, prec: 64 };
  const exp10 = Number(m[4] ?? '0') - frac.length;
  if (exp10 === 0) return roundRatio(neg, digits, 1n, 0, 64);
  // digits * 10^exp10 = digits * 2^exp10 * 5^exp10, the power of five as Go builds it.
  const p = goPow5(Math.abs(exp10));
  return exp10 > 0 ? roundRatio(neg, digits * p.m, 1n, exp10 + p.e, 64) : roundRatio(neg, digits, p.m, exp10 - p.e, 64);
}

/** ratio returns |f| as numerator and denominator. */
function ratio(f: Float): [bigint, bigint] {
  return f.e >= 0 ? [f.m * pow2(f.e), 1n] : [f.m, pow2(-f.e)];
}

/** Op is one of the four arithmetic operations. */
export type Op = '+' | '-' | '*' | '/';

/** apply computes x op y exactly and rounds it to 64 bits (Go's zero signs included). */
export function apply(op: Op, x: Float, y: Float): Float {
  const [xn, xd] = ratio(x);
  const [yn, yd] = ratio(y);
  const sx = x.neg ? -1n : 1n;
  const sy = y.neg ? -1n : 1n;
  let num: bigint;
  let den: bigint;
  let zeroNeg: boolean;
  switch (op) {
    case '+':
    case '-': {
      const s = op === '+' ? sy : -sy;
      num = sx * xn * yd + s * yn * xd;
      den = xd * yd;
      zeroNeg = x.m === 0n && y.m === 0n && x.neg && (op === '+' ? y.neg : !y.neg);
      break;
    }
    case '*':
      num = sx * sy * xn * yn;
      den = xd * yd;
      zeroNeg = x.neg !== y.neg;
      break;
    case '/':
      num = sx * sy * xn * yd;
      den = xd * yn;
      zeroNeg = x.neg !== y.neg;
      break;
  }
  if (num === 0n) return { neg: zeroNeg, m: 0n, e: 0, prec: 64 };
  return roundRatio(num < 0n, num < 0n ? -num : num, den, 0, 64);
}

/** shortestDigits finds the fewest significant digits d (value 0.d * 10^point) inside f's
 * rounding interval, half a last place either side (inclusive for an even mantissa), the one
 * nearest f on a choice. f is non-zero. */
function shortestDigits(f: Float): { digits: string; point: number } {
  const shift = f.prec - bitLength(f.m);
  const m = f.m << BigInt(shift);
  const e = f.e - shift; // m has exactly prec bits
  // Work in units of 2^(e-1): value 2m, interval [2m - 1, 2m + 1].
  const unitExp = e - 1;
  const [un, ud] = unitExp >= 0 ? [pow2(unitExp), 1n] : [1n, pow2(-unitExp)];
  const inclusive = m % 2n === 0n;
  const v = 2n * m;
  const point = (() => {
    // decimal exponent: 10^(point-1) <= value < 10^point
    const [n, d] = [v * un, ud];
    let p = n >= d ? (n / d).toString().length : 1 - (d / n).toString().length;
    while (p > -100000 && pow10Ratio(p - 1, n, d) > 0) p--;
    while (pow10Ratio(p, n, d) <= 0) p++;
    return p;
  })();
  for (let digits = 1; ; digits++) {
    // candidate c * 10^(point - digits), in interval units: c * 10^(point-digits) / (un/ud)
    const k = point - digits;
    const [cn, cd] = k >= 0 ? [pow10(k) * ud, un] : [ud, pow10(-k) * un]; // one candidate step in units
    const lowC = (v * cd) / cn; // floor(v / step)
    const choices: bigint[] = [];
    for (const c of [lowC, lowC + 1n]) {
      const at = c * cn; // candidate in units, times cd
      const lo = (v - 1n) * cd;
      const hi = (v + 1n) * cd;
      if (inclusive ? at >= lo && at <= hi : at > lo && at < hi) choices.push(c);
    }
    if (choices.length > 0) {
      let c = choices[0]!;
      if (choices.length === 2) {
        const dLow = v * cd - choices[0]! * cn;
        const dHigh = choices[1]! * cn - v * cd;
        c = dHigh < dLow || (dHigh === dLow && choices[1]! % 2n === 0n) ? choices[1]! : choices[0]!;
      }
      const s = c.toString();
      const trimmed = s.replace(/0+$/, '');
      return { digits: trimmed, point: point + (s.length - digits) };
    }
  }
}

// sign of 10^p compared with n/d
function pow10Ratio(p: number, n: bigint, d: bigint): number {
  const [a, b] = p >= 0 ? [pow10(p) * d, n] : [d, pow10(-p) * n];
  return a === b ? 0 : a > b ? 1 : -1;
}

/** isInt tells whether f is an integer. */
function isInt(f: Float): boolean {
  return f.e >= 0 || f.m % pow2(-f.e) === 0n;
}

/** text prints f as OPA's FloatToNumber does. */
export function text(f: Float): string {
  const sign = f.neg ? '-' : '';
  if (f.m === 0n) return `${sign}0`;
  const { digits, point } = shortestDigits(f);
  if (isInt(f)) return sign + digits + '0'.repeat(point - digits.length);
  const x = point - 1;
  if (x < -4 || x >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mant}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** isSafeInt tells whether number text is a plain integer below 2^53 (the runtime's exact path). */
export function isSafeInt(t: string): boolean {
  return /^-?\d+$/.test(t) && BigInt(t) < 2n ** 53n && BigInt(t) > -(2n ** 53n);
}

/** divide is OPA's div on number text: an integer when small integers divide exactly, else the float quotient. */
export function divide(a: string, b: string): string {
  if (isSafeInt(a) && isSafeInt(b) && BigInt(a) !== 0n && BigInt(b) !== 0n && BigInt(a) % BigInt(b) === 0n)
    return (BigInt(a) / BigInt(b)).toString();
  return text(apply('/', parse(a), parse(b)));
}

/** exactInt returns the integer that number text denotes, or undefined for a non-integer. */
export function exactInt(t: string): bigint | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(t);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  const exp10 = Number(m[4] ?? '0') - frac.length;
  let v = BigInt(m[2]! + frac);
  if (exp10 >= 0) v *= pow10(exp10);
  else if (v % pow10(-exp10) !== 0n) return undefined;
  else v /= pow10(-exp10);
  return m[1] === '-' ? -v : v;
}

/** evaluate is OPA's plus, minus, mul or div on number text: integers exactly (division only
 * when small integers divide), everything else through 64-bit floats. */
export function evaluate(op: Op, a: string, b: string): string {
  if (op === '/') return divide(a, b);
  const x = exactInt(a);
  const y = exactInt(b);
  if (x !== undefined && y !== undefined) return String(op === '+' ? x + y : op === '-' ? x - y : x * y);
  return text(apply(op, parse(a), parse(b)));
}
