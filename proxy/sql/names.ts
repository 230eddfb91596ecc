// Result column names as PostgreSQL's FigureColname (src/backend/parser/parse_target.c) picks
// them for unaliased target entries: a column's name, a function's name, `case`, `?column?`, ….

import { asFields, asList, asNode, asString, stringItems } from './tree.js';

const UNKNOWN = '?column?';

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
        const sel = asNode(f['subselect']);
        const first = asNode(asList(sel?.fields['targetList'])[0]);
        const alias = asString(first?.fields['name']);
        return alias ?? figureName(first?.fields['val']);
      }
      return UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}
