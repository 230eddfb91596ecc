// The file system the decision log's file sink writes through (proxy/decisionlog's LogFiles port),
// bound to node:fs here at the edge: the data plane touches no files itself. The integrator passes
// `nodeLogFiles` (and `readFileSync` for `{file}` headers) to sinksFromConfig.

import { readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { LogFiles } from '../decisionlog/index.js';

/** nodeLogFiles is LogFiles on node:fs: append handles, rename and remove that ignore a missing file. */
export const nodeLogFiles: LogFiles = Object.freeze({
  async openAppend(path: string) {
    const fh = await open(path, 'a', 0o600);
    const size = (await fh.stat()).size;
    return {
      size,
      write: async (data: Uint8Array) => {
        await fh.write(data);
      },
      close: () => fh.close(),
    };
  },
  async rename(from: string, to: string) {
    try {
      await rename(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  },
  remove: (path: string) => rm(path, { force: true }),
});

/** readHeaderFile reads a `{file: PATH}` header of decision_logs.service.headers as UTF-8. */
export function readHeaderFile(path: string): string {
  return readFileSync(path, 'utf8');
}
