// The analysis worker thread (offload.ts starts it): loads the parser once, says `ready`, then
// analyses each query string it is sent with analyze() and posts the result back in a form that
// crosses threads (facts are plain data; an error becomes its class name and fields).

import { parentPort } from 'node:worker_threads';
import { analyze, initSql } from './analyze.js';
import { SqlAnalysisError, SqlSyntaxError, SqlTooComplexError, SqlTooLargeError, SqlNulError } from './errors.js';
import type { SqlError } from './errors.js';
import type { WireError, WorkerMessage, WorkerRequest } from './offload.js';

/** wireError is what crosses the thread for an analysis error: enough to build the same error again. */
function wireError(e: SqlError): WireError {
  if (e instanceof SqlSyntaxError) return { kind: 'syntax', message: e.message, position: e.position };
  if (e instanceof SqlTooLargeError) return { kind: 'too_large', bytes: e.bytes, limit: e.limit };
  if (e instanceof SqlNulError) return { kind: 'nul', offset: e.offset };
  if (e instanceof SqlTooComplexError) return { kind: 'too_complex', budget: e.budget, limit: e.limit };
  if (e instanceof SqlAnalysisError) return { kind: 'analysis', message: e.message, sqlstate: e.sqlstate === 'XX000' ? 'XX000' : '54001' };
  return { kind: 'not_initialized' };
}

const port = parentPort;
if (port !== null) {
  const post = (m: WorkerMessage) => port.postMessage(m);
  initSql().then(
    () => {
      port.on('message', (req: WorkerRequest) => {
        const r = analyze(req.sql, req.opts);
        post(
          r.ok
            ? { type: 'result', id: req.id, ok: true, statements: r.statements }
            : { type: 'result', id: req.id, ok: false, error: wireError(r.error) },
        );
      });
      post({ type: 'ready' });
    },
    (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  );
}
