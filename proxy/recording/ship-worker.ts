// The worker thread the gateway ships its journals from (ship-thread.ts): a shipper (shipper.ts)
// with a state store connection of its own, so that reading the segments back, building the
// INSERTs and waiting on the store never take the event loop the statements run on. Messages in:
// once, kick, start, stop; out: each round's result, the shipper's events, stopped.

import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { createStateStore } from '../state/index.js';
import { createShipper } from './shipper.js';
import type { ShipThreadData, ToShipThread, FromShipThread } from './ship-thread.js';

const data = workerData as ShipThreadData;
const login = data.login;
const store = createStateStore({
  host: login.host,
  port: login.port,
  database: login.database,
  user: login.user,
  connectTimeoutMs: login.connectTimeoutMs,
  ...(login.password !== undefined ? { password: login.password } : {}),
  // a password file is read for every login, as the gateway's own store connection does, and
  // without its final line break (config's secretFromFile: recording may not import config)
  ...(login.passwordFile !== undefined
    ? { passwordSource: () => readFile(login.passwordFile as string, 'utf8').then((t) => t.replace(/\r?\n$/, '')) }
    : {}),
});
const post = (m: FromShipThread): void => parentPort?.postMessage(m);
const shipper = createShipper({
  store,
  dir: data.dir,
  ...(data.batchSize !== undefined ? { batchSize: data.batchSize } : {}),
  onEvent: (e) =>
    post({
      type: 'event',
      event: e.type === 'recording.shipped' ? e : { type: 'recording.ship_failed', message: e.message, error: new Error(e.message) },
    }),
});

parentPort?.on('message', (m: ToShipThread) => {
  switch (m.type) {
    case 'once':
      void shipper.shipOnce().then((result) => post({ type: 'result', id: m.id, result }));
      return;
    case 'kick':
      shipper.kick();
      return;
    case 'start':
      shipper.start(m.intervalMs);
      return;
    case 'stop':
      void shipper
        .stop()
        .then(() => store.close())
        .catch(() => undefined)
        .then(() => post({ type: 'stopped', id: m.id }));
      return;
  }
});
