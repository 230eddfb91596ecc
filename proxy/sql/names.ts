// Result column names as PostgreSQL's FigureColname (src/backend/parser/parse_target.c) picks
// them for unaliased target entries: a column's name, a function's name, `case`, `?column?`, ….

import { asFields, asList, asNode, asString, stringItems } from './tree.js';

const UNKNOWN = '?column?';

// A scalar subquery's name is its first column's, found by descending into it; the walker asks
// again at every level of nested subqueries, so names of subqueries are remembered per tree node
// (without this, N nested levels cost N² descents: 0.1 s for a 4 KiB statement).
const subLinkNames = new WeakMap<object, string>();

/** figureName returns the name PostgreSQL gives an unaliased result expression. */
export function figureName(expr: unknown): string {
  const n = asNode(expr);
  if (n === undefined) return UNKNOWN;
  const f = n.fields;
  switch (n.type) {
    case 'ColumnRef': {
      const fields = asList(f['fields']);
      const last = asNode(fields[fields.length - 1]);
      if (last?.type === 'A_Star') return '*';
      return asString(last?.fields['sval']) ?? UNKNOWN;
    }
    case 'FuncCall':
      return stringItems(f['funcname']).at(-1) ?? UNKNOWN;
    case 'A_Indirection': {
      const last = asNode(asList(f['indirection']).at(-1));
      if (last?.type === 'String') return asString(last.fields['sval']) ?? UNKNOWN;
      return figureName(f['arg']);
    }
    case 'TypeCast': {
      const inner = figureName(f['arg']);
      if (inner !== UNKNOWN) return inner;
      return stringItems(asFields(f['typeName'])?.['names']).at(-1) ?? UNKNOWN;
    }
    case 'CollateClause':
      return figureName(f['arg']);
    case 'CaseExpr':
      return 'case';
    case 'A_ArrayExpr':
      return 'array';
    case 'RowExpr':
      return 'row';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'GroupingFunc':
      return 'grouping';
    case 'MinMaxExpr':
      return f['op'] === 'IS_GREATEST' ? 'greatest' : 'least';
    case 'A_Expr':
      return f['kind'] === 'AEXPR_NULLIF' ? 'nullif' : UNKNOWN;
    case 'SQLValueFunction':
      return (
        (asString(f['op']) ?? '')
          .replace(/^SVFOP_/, '')
          .replace(/_N$/, '')
          .toLowerCase() || UNKNOWN
      );
    case 'XmlExpr':
      return (asString(f['op']) ?? '').replace(/^IS_/, '').toLowerCase() || UNKNOWN;
    case 'SubLink': {
      const kind = f['subLinkType'];
      if (kind === 'EXISTS_SUBLINK') return 'exists';
      if (kind === 'ARRAY_SUBLINK') return 'array';
      if (kind === 'EXPR_SUBLINK') {
        const known = typeof expr === 'object' && expr !== null ? subLinkNames.get(expr) : undefined;
        if (known !== undefined) return known;
        const sel = asNode(f['subselect']);
        const first = asNode(asList(sel?.fields['targetList'])[0]);
        const name = asString(first?.fields['name']) ?? figureName(first?.fields['val']);
        if (typeof expr === 'object' && expr !== null) subLinkNames.set(expr, name);
        return name;
      }
      return UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}
