// Tests for the builtin catalog and the native/SDK support predicates.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTINS, LOADER_BUILTINS, SDK_BUILTINS, isLoaderBuiltin, isNativeBuiltin, isSdkBuiltin } from '../../../engine/builtins/index.js';
import { NATIVE_BUILTINS } from '../../../engine/abi.js';
import { OPERATORS } from '../../../engine/ast/nodes.js';

describe('BUILTINS', () => {
  it('is sorted by name', () => {
    const names = Object.keys(BUILTINS);
    expect(names).toEqual([...names].sort());
  });

  it.each(Object.entries(NATIVE_BUILTINS).map(([name, d]) => ({ note: name, name, arity: d.arity })))(
    'native $note has the same arity',
    ({ name, arity }) => {
      expect(BUILTINS[name]?.arity).toBe(arity);
    },
  );

  it.each(Object.values(OPERATORS).map((name) => ({ note: name, name })))('operator $note is declared with arity 2', ({ name }) => {
    expect(BUILTINS[name]?.arity).toBe(2);
  });

  it.each([
    { note: 'print is variadic, and an effect', name: 'print', want: { arity: 0, variadic: true, effect: true } },
    { note: 'time.now_ns takes no args, and reads the clock', name: 'time.now_ns', want: { arity: 0, nondeterministic: true } },
    { note: 'strings.split_n', name: 'strings.split_n', want: { arity: 3 } },
    { note: 'regex.template_match', name: 'regex.template_match', want: { arity: 4 } },
  ])('$note', ({ name, want }) => {
    expect(BUILTINS[name]).toEqual(want);
  });

  it('flags what OPA marks nondeterministic, and the certificate checks that read the clock', () => {
    const flagged = Object.entries(BUILTINS)
      .filter(([, d]) => d.nondeterministic)
      .map(([name]) => name);
    expect(flagged).toEqual([
      'crypto.x509.parse_and_verify_certificates',
      'crypto.x509.parse_and_verify_certificates_with_options',
      'http.send',
      'io.jwt.decode_verify',
      'io.jwt.encode_sign',
      'io.jwt.encode_sign_raw',
      'net.lookup_ip_addr',
      'opa.runtime',
      'rand.intn',
      'time.now_ns',
      'uuid.rfc4122',
    ]);
  });

  it('covers every builtin of the SDK capabilities with the same arity', () => {
    const path = new URL('../../../node_modules/@open-policy-agent/opa-wasm/capabilities.json', import.meta.url);
    const caps = JSON.parse(readFileSync(path, 'utf8')) as { builtins: { name: string; decl: { args?: unknown[] } }[] };
    const mismatched = caps.builtins.filter((b) => BUILTINS[b.name]?.arity !== (b.decl.args?.length ?? 0)).map((b) => b.name);
    expect(mismatched).toEqual([]);
  });
});

describe('support predicates', () => {
  it.each([
    { note: 'count is native', name: 'count', native: true, sdk: false, loader: false },
    { note: 'internal.member_2 is native', name: 'internal.member_2', native: true, sdk: false, loader: false },
    { note: 'yaml.marshal comes from our loader, and from the SDK itself', name: 'yaml.marshal', native: false, sdk: true, loader: true },
    { note: 'time.now_ns comes from our loader', name: 'time.now_ns', native: false, sdk: false, loader: true },
    { note: 'opa.runtime comes from our loader', name: 'opa.runtime', native: false, sdk: false, loader: true },
    { note: 'rand.intn and uuid.rfc4122 come from our loader', name: 'uuid.rfc4122', native: false, sdk: false, loader: true },
    { note: 'net.lookup_ip_addr is none of them', name: 'net.lookup_ip_addr', native: false, sdk: false, loader: false },
    { note: 'eq is not a runtime builtin', name: 'eq', native: false, sdk: false, loader: false },
  ])('$note', ({ name, native, sdk, loader }) => {
    expect(isNativeBuiltin(name)).toBe(native);
    expect(isSdkBuiltin(name)).toBe(sdk);
    expect(isLoaderBuiltin(name)).toBe(loader);
  });

  it('lists only catalog builtins as SDK- or loader-supplied', () => {
    for (const name of [...SDK_BUILTINS, ...LOADER_BUILTINS]) expect(BUILTINS[name]).toBeDefined();
  });
});
