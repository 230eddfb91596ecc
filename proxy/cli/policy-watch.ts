// `serve --watch`: a change under the policy's directories (or to its bundle file) asks for a
// reload once things settle (editors write a file in several steps; `git checkout` touches many).
// fs.watch is recursive on Linux, macOS and Windows from Node 20.

import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { LocalSource } from '../policy/index.js';

/** SETTLE_MS is how long the tree must stay quiet before a reload is asked. */
export const SETTLE_MS = 200;

/** watchSource calls onChange after changes to the source settle; close() stops watching. */
export function watchSource(source: LocalSource, onChange: () => void, onError: (message: string) => void): { close(): void } {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const changed = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, SETTLE_MS);
    timer.unref();
  };
  const add = (path: string, recursive: boolean, only?: string): void => {
    try {
      const w = watch(path, { recursive, persistent: false }, (_event, name) => {
        if (only === undefined || name === only) changed();
      });
      w.on('error', (e) => onError(`policy watch: ${path}: ${e.message}`));
      watchers.push(w);
    } catch (e) {
      onError(`policy watch: cannot watch ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  if (source.kind === 'bundle') {
    // the directory, not the file: a bundle replaced by rename is a new file
    const file = resolve(source.path);
    add(dirname(file), false, basename(file));
  } else {
    for (const p of source.paths) add(resolve(p), true);
  }
  return {
    close() {
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
