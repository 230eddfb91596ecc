// Boolean Pike VM over the programs of regex-prog.ts: unanchored search over UTF-8 text in
// O(program x text) time (no backtracking, so pathological patterns such as (a*)*b stay linear).
// Also bi_regex_match. Patterns are compiled per call (no cache: the host resets the heap between
// evaluations). Exports: reCompile, reSearch,
// regexMatch, bi_regex_match.

import { T_STRING, alloc, boolValue, strLen, strPtr, tagOf } from "../value";
import { bufAscii, bufNew } from "../buf";
import { builtinErrorBuf, operandError } from "./errors";
import { decodeAt, lastSize } from "./utf8";
import { reParse, reParseError } from "./regex-parse";
import {
  I_ASSERT, I_JMP, I_MATCH, I_SPLIT, NONE, assertOk, instAt, progCompile, progLen, setPosition, stepMatches,
} from "./regex-prog";

/** reCompile compiles a parsed AST into the current program (groups transparent); false if it is too large. */
export function reCompile(root: usize): bool {
  return progCompile(root, false);
}

// thread lists: [count][pcs...]; mark[pc] = generation when added
// @ts-ignore: decorator
@lazy let mark: usize = 0;
// @ts-ignore: decorator
@lazy let stack: usize = 0;
// @ts-ignore: decorator
@lazy let gen_: u32 = 0;

// adds pc and its epsilon closure to list; returns true if MATCH was reached
function addThread(list: usize, pc0: u32): bool {
  let sp = 0;
  store<u32>(stack, pc0);
  sp = 1;
  let matched = false;
  while (sp > 0) {
    sp--;
    const pc = load<u32>(stack + (<usize>sp << 2));
    const mk = mark + (<usize>pc << 2);
    if (load<u32>(mk) == gen_) continue;
    store<u32>(mk, gen_);
    const at = instAt(pc);
    const op = load<u32>(at);
    if (op == I_JMP) {
      store<u32>(stack + (<usize>sp << 2), load<u32>(at, 4)); sp++;
    } else if (op == I_SPLIT) {
      store<u32>(stack + (<usize>sp << 2), load<u32>(at, 8)); sp++;
      store<u32>(stack + (<usize>sp << 2), load<u32>(at, 4)); sp++;
    } else if (op == I_ASSERT) {
      if (assertOk(load<u32>(at, 4))) { store<u32>(stack + (<usize>sp << 2), pc + 1); sp++; }
    } else if (op == I_MATCH) {
      matched = true;
    } else {
      const cnt = load<u32>(list);
      store<u32>(list + 4 + (<usize>cnt << 2), pc);
      store<u32>(list, cnt + 1);
    }
  }
  return matched;
}

/** reSearch tells whether the compiled program matches anywhere in text [p, p+n). */
export function reSearch(p: usize, n: u32): bool {
  const plen = progLen();
  mark = alloc(<usize>plen << 2);
  memory.fill(mark, 0xff, <usize>plen << 2);
  stack = alloc((<usize>plen * 2 + 4) << 2);
  let clist = alloc(4 + (<usize>plen << 2));
  let nlist = alloc(4 + (<usize>plen << 2));
  store<u32>(clist, 0);
  gen_ = 0;
  const end = p + <usize>n;
  let q = p;
  let prev = NONE;
  while (true) {
    const c = q < end ? decodeAt(q, end) : NONE;
    const sz = q < end ? lastSize() : 0;
    setPosition(prev, c);
    // a new thread starts at every position (unanchored search)
    if (addThread(clist, 0)) return true;
    if (q >= end) break;
    gen_++;
    store<u32>(nlist, 0);
    const cnt = load<u32>(clist);
    // assertions in the next list see the context after c
    const nq = q + <usize>sz;
    setPosition(c, nq < end ? decodeAt(nq, end) : NONE);
    for (let i: u32 = 0; i < cnt; i++) {
      const pc = load<u32>(clist + 4 + (<usize>i << 2));
      if (stepMatches(pc, c)) {
        if (addThread(nlist, pc + 1)) return true;
      }
    }
    prev = c;
    q = nq;
    const t = clist; clist = nlist; nlist = t;
  }
  return false;
}

/**
 * regexMatch implements regex.match for builtin fn (its errors name fn): whether value contains a
 * match of RE2 pattern; invalid patterns are builtin errors.
 */
export function regexMatch(fn: string, pattern: usize, value: usize): usize {
  if (pattern == 0 || value == 0) return 0;
  if (tagOf(pattern) != T_STRING) return operandError(fn, 1, "string", pattern);
  if (tagOf(value) != T_STRING) return operandError(fn, 2, "string", value);
  const root = reParse(strPtr(pattern), strLen(pattern));
  if (root == 0 || !reCompile(root)) {
    const b = bufNew(64);
    bufAscii(b, fn);
    bufAscii(b, ": error parsing regexp: ");
    bufAscii(b, root == 0 ? reParseError() : "expression too large");
    return builtinErrorBuf("eval_builtin_error", b);
  }
  return boolValue(reSearch(strPtr(value), strLen(value)));
}

/** bi_regex_match tells whether value contains a match of RE2 pattern; invalid patterns are builtin errors. */
export function bi_regex_match(pattern: usize, value: usize): usize {
  return regexMatch("regex.match", pattern, value);
}
