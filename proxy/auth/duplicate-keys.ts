// Duplicate member names in a token's JSON. RFC 7515/7519 let a parser reject them or keep the
// last; jose (like JSON.parse) keeps the last, while another component reading the same token may
// keep the first and so see a different token. Portcullis refuses them. The scan assumes nothing
// about validity: on text that is not JSON it finds nothing, and the parser that follows rejects it.

/**
 * duplicateKey returns the first member name that appears twice in one object of a JSON text,
 * compared after unescaping ("a" and "\u0061" are the same name), or undefined.
 */
export function duplicateKey(text: string): string | undefined {
  // per open container: the names seen (an object) or null (an array)
  const stack: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      const names = stack[stack.length - 1];
      if (expectName && names !== null && names !== undefined) {
        let name: unknown;
        try {
          name = JSON.parse(text.slice(i, end + 1));
        } catch {
          return undefined;
        }
        if (typeof name !== 'string') return undefined;
        if (names.has(name)) return name;
        names.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectName = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectName = false;
    } else if (c === 0x2c /* , */) {
      expectName = stack[stack.length - 1] instanceof Set;
    }
  }
  return undefined;
}

/** stringEnd is the index of the quote closing the string that opens at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}
