// Plan IR printer: ir.Policy → deterministic readable text for golden tests. One statement per
// line, nested blocks indented, locals as `%3`, constants shown inline as their JSON text.

import { assertNever } from '../diagnostics/index.js';
import type { Block, Func, Operand, Policy, RuntimeError, Stmt } from './nodes.js';

/** printPolicy renders a whole policy: plans, then functions in order. */
export function printPolicy(p: Policy): string {
  const lines: string[] = [];
  for (const plan of p.plans) lines.push(`plan ${plan.name} = ${plan.func}`);
  if (p.slots > 0) lines.push(`slots ${p.slots}`);
  for (const f of p.funcs) {
    lines.push('');
    printFunc(p, f, lines);
  }
  return `${lines.join('\n')}\n`;
}

function printFunc(p: Policy, f: Func, lines: string[]): void {
  lines.push(`func ${f.name}(${f.params.map(local).join(', ')}) -> ${local(f.result)}`);
  for (const b of f.blocks) printBlock(p, b, 1, lines);
}

function printBlock(p: Policy, b: Block, depth: number, lines: string[]): void {
  lines.push(`${'  '.repeat(depth)}block`);
  for (const st of b.stmts) printStmt(p, st, depth + 1, lines);
}

function local(l: number): string {
  return `%${l}`;
}

function opnd(p: Policy, o: Operand): string {
  return o.kind === 'local' ? local(o.local) : (p.constants[o.index] ?? `<const ${o.index}?>`);
}

function err(e: RuntimeError): string {
  return `${e.code} ${JSON.stringify(e.message)} @${e.loc.file}:${e.loc.row}`;
}

function printStmt(p: Policy, st: Stmt, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  const o = (x: Operand) => opnd(p, x);
  const line = (text: string): void => {
    lines.push(pad + text);
  };
  switch (st.kind) {
    case 'call':
      return line(`${local(st.target)} = call ${st.func}(${st.args.map(o).join(', ')})`);
    case 'builtin':
      return line(`${local(st.target)} = builtin ${st.name}(${st.args.map(o).join(', ')})`);
    case 'dot':
      return line(`${local(st.target)} = dot ${o(st.source)}[${o(st.key)}]`);
    case 'len':
      return line(`${local(st.target)} = len ${o(st.source)}`);
    case 'scan':
      line(`scan ${local(st.source)} key ${local(st.key)} value ${local(st.value)}`);
      return printBlock(p, st.block, depth + 1, lines);
    case 'not':
      line('not');
      return printBlock(p, st.block, depth + 1, lines);
    case 'block':
      line('blocks');
      for (const b of st.blocks) printBlock(p, b, depth + 1, lines);
      return;
    case 'break':
      return line(`break ${st.index}`);
    case 'assign':
      return line(`${local(st.target)} = ${o(st.source)}`);
    case 'assignOnce':
      return line(`${local(st.target)} := once ${o(st.source)} or ${err(st.error)}`);
    case 'reset':
      return line(`reset ${local(st.target)}`);
    case 'makeArray':
      return line(`${local(st.target)} = makeArray(${st.capacity})`);
    case 'makeObject':
      return line(`${local(st.target)} = makeObject`);
    case 'makeSet':
      return line(`${local(st.target)} = makeSet`);
    case 'equal':
      return line(`equal ${o(st.a)} ${o(st.b)}`);
    case 'notEqual':
      return line(`notEqual ${o(st.a)} ${o(st.b)}`);
    case 'isType':
      return line(`isType ${o(st.source)} ${st.type}`);
    case 'isDefined':
      return line(`isDefined ${local(st.source)}`);
    case 'isUndefined':
      return line(`isUndefined ${local(st.source)}`);
    case 'arrayAppend':
      return line(`arrayAppend ${local(st.array)} ${o(st.value)}`);
    case 'objectInsert':
      return line(`objectInsert ${local(st.object)}[${o(st.key)}] = ${o(st.value)}`);
    case 'objectInsertOnce':
      return line(`objectInsertOnce ${local(st.object)}[${o(st.key)}] = ${o(st.value)} or ${err(st.error)}`);
    case 'objectMerge':
      return line(`${local(st.target)} = objectMerge ${o(st.a)} ${o(st.b)} or ${err(st.error)}`);
    case 'setAdd':
      return line(`setAdd ${local(st.set)} ${o(st.value)}`);
    case 'upsert':
      return line(`${local(st.target)} = upsert ${o(st.source)} ${o(st.path)} ${o(st.value)}`);
    case 'slotSet':
      return line(`slotSet ${st.slot} ${o(st.value)}`);
    case 'slotGet':
      return line(`${local(st.target)} = slotGet ${st.slot}`);
    case 'abort':
      return line(`abort ${err(st.error)}`);
    default:
      return assertNever(st);
  }
}
