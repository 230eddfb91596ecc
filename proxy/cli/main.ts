// Process entry of the `portcullis` CLI (loaded by bin/portcullis.js through tsx): binds argv,
// env and the standard streams to run() and exits with the code it returns.
// The composition root: the only CLI code that touches process state.

import { run } from './run.js';

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  debug: process.env['PORTCULLIS_DEBUG'] === '1',
});
// exitCode (not exit()) lets piped stdout drain before the process ends.
process.exitCode = code;
