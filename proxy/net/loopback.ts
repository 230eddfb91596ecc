// Which client addresses count as local: the token may be sent without TLS only from loopback
// (unless the configuration allows plaintext), as PostgreSQL's `host … 127.0.0.1/32` lines do.

import { isIPv4, isIPv6 } from 'node:net';

/** isLoopbackAddress tells whether a socket's remote address is loopback (127.0.0.0/8, ::1, IPv4-mapped 127/8). */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIPv4(v4)) return v4.startsWith('127.');
  return isIPv6(address) && (address === '::1' || address === '0:0:0:0:0:0:0:1');
}
