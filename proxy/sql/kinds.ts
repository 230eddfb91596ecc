// Statement classification: a top-level parse node → its StatementKind, PostgreSQL's command tag
// and the statement-level flags that follow from the node type alone (ddl, destructive). The
// tags follow PostgreSQL's CreateCommandTag (src/backend/tcop/utility.c) for the common cases.

import type { StatementKind } from './types.js';
import { asFields, asList, asNode, asString, type Fields, type Node } from './tree.js';

/** Classification is what the node type says about a statement. */
export type Classification = {
  readonly kind: StatementKind;
  readonly command: string;
  readonly ddl: boolean;
  readonly destructive: boolean;
  /** cascade: DROP / TRUNCATE / ALTER … DROP with CASCADE (it reaches objects the statement does not name). */
  readonly cascade: boolean;
};

// ObjectType words where PostgreSQL's tag differs from the enum name (OBJECT_MATVIEW → MATERIALIZED VIEW).
const OBJECT_WORDS: Readonly<Record<string, string>> = {
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_FDW: 'FOREIGN DATA WRAPPER',
  OBJECT_FOREIGN_SERVER: 'SERVER',
  OBJECT_TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  OBJECT_TSDICTIONARY: 'TEXT SEARCH DICTIONARY',
  OBJECT_TSPARSER: 'TEXT SEARCH PARSER',
  OBJECT_TSTEMPLATE: 'TEXT SEARCH TEMPLATE',
  OBJECT_OPCLASS: 'OPERATOR CLASS',
  OBJECT_OPFAMILY: 'OPERATOR FAMILY',
  OBJECT_STATISTIC_EXT: 'STATISTICS',
  OBJECT_LARGEOBJECT: 'LARGE OBJECT',
  OBJECT_TABCONSTRAINT: 'TABLE',
  OBJECT_DOMCONSTRAINT: 'DOMAIN',
  OBJECT_COLUMN: 'TABLE',
  OBJECT_ATTRIBUTE: 'TYPE',
  OBJECT_ACCESS_METHOD: 'ACCESS METHOD',
};

/** objectWord turns an ObjectType enum name into the words of a command tag. */
export function objectWord(objtype: unknown): string {
  const s = asString(objtype);
  if (s === undefined) return 'OBJECT';
  return OBJECT_WORDS[s] ?? s.replace(/^OBJECT_/, '').replace(/_/g, ' ');
}

// Node types with a fixed kind and tag. ddl/destructive for the rest come from the name prefix.
const FIXED: Readonly<Record<string, readonly [StatementKind, string]>> = {
  InsertStmt: ['insert', 'INSERT'],
  UpdateStmt: ['update', 'UPDATE'],
  DeleteStmt: ['delete', 'DELETE'],
  MergeStmt: ['merge', 'MERGE'],
  CopyStmt: ['copy', 'COPY'],
  CreateStmt: ['create_table', 'CREATE TABLE'],
  CreateForeignTableStmt: ['create_table', 'CREATE FOREIGN TABLE'],
  TruncateStmt: ['truncate', 'TRUNCATE TABLE'],
  DoStmt: ['do', 'DO'],
  CallStmt: ['call', 'CALL'],
  VariableShowStmt: ['show', 'SHOW'],
  PrepareStmt: ['prepare', 'PREPARE'],
  ExecuteStmt: ['execute', 'EXECUTE'],
  ExplainStmt: ['explain', 'EXPLAIN'],
  ListenStmt: ['listen', 'LISTEN'],
  UnlistenStmt: ['listen', 'UNLISTEN'],
  NotifyStmt: ['notify', 'NOTIFY'],
  LockStmt: ['lock', 'LOCK TABLE'],
  DropdbStmt: ['drop', 'DROP DATABASE'],
  DropRoleStmt: ['drop', 'DROP ROLE'],
  DropTableSpaceStmt: ['drop', 'DROP TABLESPACE'],
  DropOwnedStmt: ['drop', 'DROP OWNED'],
  DropSubscriptionStmt: ['drop', 'DROP SUBSCRIPTION'],
  DropUserMappingStmt: ['drop', 'DROP USER MAPPING'],
  IndexStmt: ['other', 'CREATE INDEX'],
  ViewStmt: ['other', 'CREATE VIEW'],
  CreateSchemaStmt: ['other', 'CREATE SCHEMA'],
  CreateSeqStmt: ['other', 'CREATE SEQUENCE'],
  AlterSeqStmt: ['other', 'ALTER SEQUENCE'],
  CreateRoleStmt: ['other', 'CREATE ROLE'],
  AlterRoleStmt: ['other', 'ALTER ROLE'],
  AlterRoleSetStmt: ['other', 'ALTER ROLE'],
  CreateExtensionStmt: ['other', 'CREATE EXTENSION'],
  AlterExtensionStmt: ['other', 'ALTER EXTENSION'],
  AlterExtensionContentsStmt: ['other', 'ALTER EXTENSION'],
  CreatedbStmt: ['other', 'CREATE DATABASE'],
  AlterDatabaseStmt: ['other', 'ALTER DATABASE'],
  AlterDatabaseSetStmt: ['other', 'ALTER DATABASE'],
  AlterSystemStmt: ['other', 'ALTER SYSTEM'],
  CommentStmt: ['other', 'COMMENT'],
  SecLabelStmt: ['other', 'SECURITY LABEL'],
  CreateTrigStmt: ['other', 'CREATE TRIGGER'],
  CreateEventTrigStmt: ['other', 'CREATE EVENT TRIGGER'],
  RuleStmt: ['other', 'CREATE RULE'],
  CreatePolicyStmt: ['other', 'CREATE POLICY'],
  AlterPolicyStmt: ['other', 'ALTER POLICY'],
  CompositeTypeStmt: ['other', 'CREATE TYPE'],
  CreateEnumStmt: ['other', 'CREATE TYPE'],
  CreateRangeStmt: ['other', 'CREATE TYPE'],
  AlterEnumStmt: ['other', 'ALTER TYPE'],
  CreateDomainStmt: ['other', 'CREATE DOMAIN'],
  AlterDomainStmt: ['other', 'ALTER DOMAIN'],
  AlterFunctionStmt: ['other', 'ALTER FUNCTION'],
  AlterDefaultPrivilegesStmt: ['other', 'ALTER DEFAULT PRIVILEGES'],
  CreateTableSpaceStmt: ['other', 'CREATE TABLESPACE'],
  CreatePublicationStmt: ['other', 'CREATE PUBLICATION'],
  AlterPublicationStmt: ['other', 'ALTER PUBLICATION'],
  CreateSubscriptionStmt: ['other', 'CREATE SUBSCRIPTION'],
  AlterSubscriptionStmt: ['other', 'ALTER SUBSCRIPTION'],
  CreateStatsStmt: ['other', 'CREATE STATISTICS'],
  ImportForeignSchemaStmt: ['other', 'IMPORT FOREIGN SCHEMA'],
  ReassignOwnedStmt: ['other', 'REASSIGN OWNED'],
  DeclareCursorStmt: ['declare', 'DECLARE CURSOR'],
  ClosePortalStmt: ['close', 'CLOSE CURSOR'],
  ClusterStmt: ['other', 'CLUSTER'],
  ReindexStmt: ['other', 'REINDEX'],
  CheckPointStmt: ['other', 'CHECKPOINT'],
  LoadStmt: ['other', 'LOAD'],
  RefreshMatViewStmt: ['other', 'REFRESH MATERIALIZED VIEW'],
  ConstraintsSetStmt: ['other', 'SET CONSTRAINTS'],
};

const TRANSACTION: Readonly<Record<string, readonly [StatementKind, string]>> = {
  TRANS_STMT_BEGIN: ['begin', 'BEGIN'],
  TRANS_STMT_START: ['begin', 'START TRANSACTION'],
  TRANS_STMT_COMMIT: ['commit', 'COMMIT'],
  TRANS_STMT_ROLLBACK: ['rollback', 'ROLLBACK'],
  TRANS_STMT_SAVEPOINT: ['savepoint', 'SAVEPOINT'],
  TRANS_STMT_RELEASE: ['savepoint', 'RELEASE'],
  TRANS_STMT_ROLLBACK_TO: ['rollback', 'ROLLBACK'],
  TRANS_STMT_PREPARE: ['commit', 'PREPARE TRANSACTION'],
  TRANS_STMT_COMMIT_PREPARED: ['commit', 'COMMIT PREPARED'],
  TRANS_STMT_ROLLBACK_PREPARED: ['rollback', 'ROLLBACK PREPARED'],
};

// Node types that change the schema, roles or privileges although their names do not start with
// Create/Alter/Drop.
const OTHER_DDL = new Set([
  'TruncateStmt',
  'RenameStmt',
  'CommentStmt',
  'GrantStmt',
  'GrantRoleStmt',
  'SecLabelStmt',
  'DefineStmt',
  'CompositeTypeStmt',
  'IndexStmt',
  'ViewStmt',
  'RuleStmt',
  'ImportForeignSchemaStmt',
  'ReassignOwnedStmt',
]);

// ALTER TABLE sub-commands that destroy data (a column, a constraint's guarantee is not data).
const DESTRUCTIVE_ALTER = new Set(['AT_DropColumn']);

/** classify reads kind, command tag, ddl and destructive from a statement's top-level node. */
export function classify(node: Node): Classification {
  const { type, fields } = node;
  const isDdl = /^(Create|Alter|Drop)/.test(type) || OTHER_DDL.has(type);
  const isDropType = type.startsWith('Drop') || type === 'TruncateStmt';
  const base = (kind: StatementKind, command: string, extra: Partial<Classification> = {}): Classification => ({
    kind,
    command,
    ddl: isDdl,
    destructive: isDropType,
    cascade: fields['behavior'] === 'DROP_CASCADE' || asList(fields['cmds']).some((c) => asNode(c)?.fields['behavior'] === 'DROP_CASCADE'),
    ...extra,
  });
  const fixed = FIXED[type];
  if (fixed !== undefined) return base(fixed[0], fixed[1]);
  switch (type) {
    case 'SelectStmt':
      return asFields(fields['intoClause']) !== undefined ? base('select', 'SELECT INTO', { ddl: true }) : base('select', 'SELECT');
    case 'CreateTableAsStmt': {
      const matview = fields['objtype'] === 'OBJECT_MATVIEW';
      return base('create_table', matview ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS');
    }
    case 'AlterTableStmt':
      return base('alter_table', `ALTER ${objectWord(fields['objtype'])}`, {
        destructive: asList(fields['cmds']).some((c) => DESTRUCTIVE_ALTER.has(asString(asNode(c)?.fields['subtype']) ?? '')),
      });
    case 'RenameStmt': {
      // relationType only means something when a column or constraint of a relation is renamed.
      const onRelation = fields['renameType'] === 'OBJECT_COLUMN' || fields['renameType'] === 'OBJECT_TABCONSTRAINT';
      const word = objectWord(onRelation ? fields['relationType'] : fields['renameType']);
      const tableLike = ['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE', 'INDEX', 'SEQUENCE'].includes(word);
      return base(tableLike ? 'alter_table' : 'other', `ALTER ${word}`);
    }
    case 'AlterObjectSchemaStmt':
    case 'AlterOwnerStmt':
      return base('other', `ALTER ${objectWord(fields['objectType'])}`);
    case 'DropStmt':
      return base('drop', `DROP ${objectWord(fields['removeType'])}`);
    case 'DefineStmt':
      return base('other', `CREATE ${objectWord(fields['kind'])}`);
    case 'GrantStmt':
    case 'GrantRoleStmt':
      return fields['is_grant'] === true ? base('grant', 'GRANT') : base('revoke', 'REVOKE');
    case 'CreateFunctionStmt':
      return base('create_function', fields['is_procedure'] === true ? 'CREATE PROCEDURE' : 'CREATE FUNCTION');
    case 'VariableSetStmt':
      return classifySet(fields, base);
    case 'TransactionStmt': {
      const t = TRANSACTION[asString(fields['kind']) ?? ''] ?? (['other', 'TRANSACTION'] as const);
      return base(t[0], t[1]);
    }
    case 'DeallocateStmt':
      return base('deallocate', fields['isall'] === true ? 'DEALLOCATE ALL' : 'DEALLOCATE');
    case 'VacuumStmt':
      return fields['is_vacuumcmd'] === true ? base('vacuum', 'VACUUM') : base('analyze', 'ANALYZE');
    case 'FetchStmt':
      return fields['ismove'] === true ? base('move', 'MOVE') : base('fetch', 'FETCH');
    case 'DiscardStmt':
      return base('other', `DISCARD ${asString(fields['target'])?.replace(/^DISCARD_/, '') ?? 'ALL'}`);
    default:
      return base('other', tagFromTypeName(type));
  }
}

// SET / RESET: ROLE and SESSION AUTHORIZATION have their own kinds because policies treat them
// as identity changes, not configuration.
function classifySet(fields: Fields, base: (kind: StatementKind, command: string) => Classification): Classification {
  const setKind = asString(fields['kind']) ?? '';
  const name = (asString(fields['name']) ?? '').toLowerCase();
  const isReset = setKind === 'VAR_RESET' || setKind === 'VAR_RESET_ALL';
  const command = isReset ? 'RESET' : 'SET';
  if (name === 'role') return base('set_role', command);
  if (name === 'session_authorization') return base('set_session_authorization', command);
  return base(isReset ? 'reset' : 'set', command);
}

// Fallback tag: "CreateCastStmt" → "CREATE CAST".
function tagFromTypeName(type: string): string {
  return type
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}
