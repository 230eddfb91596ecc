// A small SQL highlighter: tokenize() cuts a statement into classified pieces (pure, so tests can
// run it without a browser) and highlight() turns them into spans whose text is set with
// textContent. It only colours: it never decides anything, so a statement it reads wrong is shown
// plainly rather than refused. Joining the tokens' text gives the input back unchanged.

const KEYWORDS = new Set(
  `select from where and or not insert into values update set delete returning create alter drop table index view
  join left right inner outer full cross on using group by order having limit offset as distinct union all except
  intersect case when then else end is null true false in exists between like ilike begin commit rollback
  with recursive grant revoke truncate primary key foreign references default unique check constraint
  asc desc nulls first last fetch for share nowait skip locked lateral any some cast explain analyze copy to do
  nothing conflict function returns language schema database sequence trigger type if vacuum show reset
  savepoint release transaction isolation level read write only prepare execute deallocate listen notify`.split(/\s+/),
);

const SPACE = /\s+/y;
const DOLLAR = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;
const PARAM = /\$[0-9]+/y;
const NUMBER = /(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;

/**
 * tokenize classifies a statement's text: `kw` keywords, `str` string literals (also E'…' and
 * dollar-quoted), `ident` quoted identifiers, `num` numbers, `param` ($1), `cmt` comments, `ws`,
 * `word` other names and `op` everything else. An unterminated literal or comment runs to the end.
 */
export function tokenize(text) {
  const src = String(text);
  const out = [];
  let i = 0;
  const push = (kind, end) => {
    out.push({ kind, text: src.slice(i, end) });
    i = end;
  };
  while (i < src.length) {
    const c = src[i];
    // sticky patterns match at i without copying the rest of a long statement
    const len = (re) => {
      re.lastIndex = i;
      return re.exec(src)?.[0].length ?? 0;
    };
    const dollar = len(DOLLAR) > 0 ? src.slice(i, i + len(DOLLAR)) : undefined;
    if (len(SPACE) > 0) push('ws', i + len(SPACE));
    else if (src.startsWith('--', i)) push('cmt', lineEnd(src, i));
    else if (src.startsWith('/*', i)) push('cmt', closing(src, i + 2, '*/'));
    else if (c === "'") push('str', quoted(src, i + 1, "'", false));
    // an escape string: a backslash escapes the next character (E'it\'s')
    else if ((c === 'E' || c === 'e') && src[i + 1] === "'") push('str', quoted(src, i + 2, "'", true));
    else if (c === '"') push('ident', quoted(src, i + 1, '"', false));
    else if (dollar !== undefined) push('str', closing(src, i + dollar.length, dollar));
    else if (len(PARAM) > 0) push('param', i + len(PARAM));
    else if (len(NUMBER) > 0) push('num', i + len(NUMBER));
    else if (len(WORD) > 0) {
      const end = i + len(WORD);
      push(KEYWORDS.has(src.slice(i, end).toLowerCase()) ? 'kw' : 'word', end);
    } else push('op', i + 1);
  }
  return out;
}

function lineEnd(src, from) {
  const n = src.indexOf('\n', from);
  return n === -1 ? src.length : n;
}

function closing(src, from, end) {
  const n = src.indexOf(end, from);
  return n === -1 ? src.length : n + end.length;
}

/** quoted finds the end of a literal opened before `from`, where a doubled quote stands for one (and, in an escape string, a backslash escapes the next character). */
function quoted(src, from, q, backslash = false) {
  let j = from;
  while (j < src.length) {
    if (backslash && src[j] === '\\') j += 2;
    else if (src[j] === q) {
      if (src[j + 1] === q) j += 2;
      else return j + 1;
    } else j += 1;
  }
  return src.length;
}

/** highlight returns a `<code class="sql">` with one span per non-blank token (class `sql-<kind>`). */
export function highlight(text) {
  const code = document.createElement('code');
  code.className = 'sql';
  for (const t of tokenize(text)) {
    if (t.kind === 'ws' || t.kind === 'word' || t.kind === 'op') {
      code.append(document.createTextNode(t.text));
    } else {
      const span = document.createElement('span');
      span.className = `sql-${t.kind}`;
      span.textContent = t.text;
      code.append(span);
    }
  }
  return code;
}

/** sqlBlock wraps highlight() in a `<pre>` for statements shown whole. */
export function sqlBlock(text) {
  const pre = document.createElement('pre');
  pre.className = 'sql-block';
  pre.append(highlight(text));
  return pre;
}
