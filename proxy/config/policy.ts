// Section `policy` of opa.config.yaml: the policy the gateway asks (an OPA bundle, or .rego and
// data directories compiled at start), the entrypoint it evaluates for every statement, the one it
// evaluates at login (the session's database role), the one it evaluates when an approver acts
// on a held statement and the one it asks before anyone reads recorded sessions. Type, defaults,
// validator.

import { validateBundleSource } from './bundle-source.js';
import type { RemoteBundleSource } from './bundle-source.js';
import { deepFreeze, isMapping, show } from './section.js';
import type { Section } from './section.js';
import { validateSigning } from './signing.js';
import type { SigningConfig } from './signing.js';

/** PolicySource is an OPA bundle (tar.gz), one polled from a URL (bundle-source.ts), or directories/files of .rego and data files compiled at start. */
export type PolicySource =
  | { readonly kind: 'bundle'; readonly path: string }
  | RemoteBundleSource
  | { readonly kind: 'paths'; readonly paths: readonly string[] };

/** PolicySection is the policy the gateway asks and the entrypoints it evaluates. */
export type PolicySection = {
  readonly source: PolicySource;
  /** entrypoint is the rule evaluated for every statement. */
  readonly entrypoint: string;
  /** connectionEntrypoint is the rule evaluated at login (the session's database role); unused when the policy lacks it. */
  readonly connectionEntrypoint: string;
  /** approvalEntrypoint is the rule evaluated when an approver approves or denies a held statement; unused when the policy lacks it. */
  readonly approvalEntrypoint: string;
  /** auditEntrypoint is the rule evaluated before anyone reads recorded sessions (or acts on them); without it nobody may. */
  readonly auditEntrypoint: string;
  /** signing lists the keys a bundle must be signed by (signing.ts); absent: no verification. */
  readonly signing?: SigningConfig;
};

/** POLICY_DEFAULTS are the defaults of `policy` (the source has none: it is required). */
export const POLICY_DEFAULTS = deepFreeze({
  entrypoint: 'portcullis/decision',
  connectionEntrypoint: 'portcullis/connection',
  approvalEntrypoint: 'portcullis/approval',
  auditEntrypoint: 'portcullis/audit',
});

const ENTRYPOINT = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)+$/;

/** validatePolicy reads the required `policy` section; undefined when it is missing or unusable (errors recorded). */
export function validatePolicy(root: Section): PolicySection | undefined {
  const s = root.section('policy', true);
  if (s === undefined) return undefined;
  s.only(['bundle', 'paths', 'entrypoint', 'connection_entrypoint', 'approval_entrypoint', 'audit_entrypoint', 'signing']);
  // `bundle` is a local tar.gz path, or a mapping naming a URL to poll
  const remote = isMapping(s.get('bundle'));
  const bundle = remote ? undefined : s.string('bundle');
  const fetched = remote ? validateBundleSource(s) : undefined;
  const paths = s.stringList('paths');
  const entrypoint = s.string('entrypoint') ?? POLICY_DEFAULTS.entrypoint;
  const connectionEntrypoint = s.string('connection_entrypoint') ?? POLICY_DEFAULTS.connectionEntrypoint;
  const approvalEntrypoint = s.string('approval_entrypoint') ?? POLICY_DEFAULTS.approvalEntrypoint;
  const auditEntrypoint = s.string('audit_entrypoint') ?? POLICY_DEFAULTS.auditEntrypoint;
  if (!ENTRYPOINT.test(entrypoint)) {
    s.error('entrypoint', `${show(entrypoint)} is not an entrypoint (expected package/rule, e.g. portcullis/decision)`);
    return undefined;
  }
  if (!ENTRYPOINT.test(connectionEntrypoint)) {
    s.error(
      'connection_entrypoint',
      `${show(connectionEntrypoint)} is not an entrypoint (expected package/rule, e.g. portcullis/connection)`,
    );
    return undefined;
  }
  if (connectionEntrypoint === entrypoint) {
    s.error(
      'connection_entrypoint',
      `${show(connectionEntrypoint)} is also the statement entrypoint; the login rule answers a different question`,
    );
    return undefined;
  }
  if (!ENTRYPOINT.test(approvalEntrypoint)) {
    s.error('approval_entrypoint', `${show(approvalEntrypoint)} is not an entrypoint (expected package/rule, e.g. portcullis/approval)`);
    return undefined;
  }
  if (approvalEntrypoint === entrypoint || approvalEntrypoint === connectionEntrypoint) {
    s.error(
      'approval_entrypoint',
      `${show(approvalEntrypoint)} is also the ${approvalEntrypoint === entrypoint ? 'statement' : 'connection'} entrypoint; the approval rule answers a different question`,
    );
    return undefined;
  }
  if (!ENTRYPOINT.test(auditEntrypoint)) {
    s.error('audit_entrypoint', `${show(auditEntrypoint)} is not an entrypoint (expected package/rule, e.g. portcullis/audit)`);
    return undefined;
  }
  const taken = [
    [entrypoint, 'statement'],
    [connectionEntrypoint, 'connection'],
    [approvalEntrypoint, 'approval'],
  ].find(([e]) => e === auditEntrypoint);
  if (taken !== undefined) {
    s.error('audit_entrypoint', `${show(auditEntrypoint)} is also the ${taken[1]} entrypoint; the audit rule answers a different question`);
    return undefined;
  }
  if ((bundle === undefined && !remote) === (paths === undefined)) {
    s.error('', 'set exactly one of bundle (an OPA bundle .tar.gz) or paths (directories of .rego and data files)');
    return undefined;
  }
  if (remote && fetched === undefined) return undefined;
  const source: PolicySource = fetched ?? (bundle !== undefined ? { kind: 'bundle', path: bundle } : { kind: 'paths', paths: paths ?? [] });
  const signing = validateSigning(s);
  return { source, entrypoint, connectionEntrypoint, approvalEntrypoint, auditEntrypoint, ...(signing ? { signing } : {}) };
}
