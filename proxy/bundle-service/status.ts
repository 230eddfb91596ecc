// What the bundle poller reports: its entry in OPA's status API (`bundles.<name>`, CONTROL-PLANE.md
// §1.5: RFC 3339 times, zero time `0001-01-01T00:00:00Z` for "never", `code`/`message`/`errors`
// while something is wrong) and the events it gives the operator log.

/** ZERO_TIME is how OPA's status API says "never" (receivers must treat it so, opa#4157). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** BundleStatusError is one problem in a status entry: a stable code and a message naming no URL or token. */
export type BundleStatusError = { readonly code: string; readonly message: string };

/** BundleStatus is one bundle's entry in OPA's status API. */
export type BundleStatus = {
  readonly name: string;
  /** active_revision is the revision activation reported; absent while none did (or none was given). */
  readonly active_revision?: string;
  readonly last_request: string;
  readonly last_successful_request: string;
  readonly last_successful_download: string;
  readonly last_successful_activation: string;
  /** type is always `snapshot` (Portcullis takes no delta bundles). */
  readonly type: 'snapshot';
  /** size is the byte count of the last download. */
  readonly size?: number;
  /** http_code is the status of the last answer (200, 304, or the error's). */
  readonly http_code?: number;
  /** code is OPA's `bundle_error` while something is wrong; message is the first problem. */
  readonly code?: 'bundle_error';
  readonly message?: string;
  readonly errors?: readonly BundleStatusError[];
};

/** BundleServiceEvent is what the poller tells the operator log; `url` is shown without credentials or query. */
export type BundleServiceEvent =
  | { readonly type: 'bundle.downloaded'; readonly url: string; readonly etag: string | undefined; readonly bytes: number }
  | { readonly type: 'bundle.not_modified'; readonly url: string; readonly etag: string | undefined }
  | { readonly type: 'bundle.activated'; readonly url: string; readonly etag: string | undefined; readonly revision?: string }
  | { readonly type: 'bundle.activation_failed'; readonly url: string; readonly etag: string | undefined; readonly message: string }
  | {
      readonly type: 'bundle.fetch_failed';
      readonly url: string;
      readonly code: string;
      readonly message: string;
      readonly httpCode?: number;
    }
  | { readonly type: 'bundle.persist_failed'; readonly dir: string; readonly message: string };

/** statusOf renders the poller's state as a status entry (times are epoch ms, 0 for never). */
export function statusOf(s: {
  readonly name: string;
  readonly revision: string | undefined;
  readonly times: { readonly request: number; readonly successfulRequest: number; readonly download: number; readonly activation: number };
  readonly httpCode: number | undefined;
  readonly size: number | undefined;
  readonly errors: readonly BundleStatusError[];
}): BundleStatus {
  const first = s.errors[0];
  return {
    name: s.name,
    ...(s.revision !== undefined ? { active_revision: s.revision } : {}),
    last_request: rfc3339(s.times.request),
    last_successful_request: rfc3339(s.times.successfulRequest),
    last_successful_download: rfc3339(s.times.download),
    last_successful_activation: rfc3339(s.times.activation),
    type: 'snapshot',
    ...(s.size !== undefined ? { size: s.size } : {}),
    ...(s.httpCode !== undefined ? { http_code: s.httpCode } : {}),
    ...(first !== undefined ? { code: 'bundle_error' as const, message: first.message, errors: [...s.errors] } : {}),
  };
}

/** displayUrl is a URL as the operator log shows it: no user info, no query (a presigned URL's signature lives there). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    const query = u.search !== '';
    u.search = '';
    u.hash = '';
    return `${u.href}${query ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

function rfc3339(ms: number): string {
  return ms === 0 ? ZERO_TIME : new Date(ms).toISOString();
}
