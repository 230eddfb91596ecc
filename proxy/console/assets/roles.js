// Who is signed in, as the console shows it: the subject and the roles of the verified claims
// (`roles` as an array or a string, else the OAuth `scope`/`scp`), only for display: the admin API
// decides what the person may do.

/** rolesOf lists the roles a whoami answer's claims carry. */
export function rolesOf(claims) {
  const c = claims ?? {};
  for (const key of ['roles', 'scope', 'scp']) {
    const v = c[key];
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string' && v.trim() !== '') return v.trim().split(/\s+/);
  }
  return [];
}
