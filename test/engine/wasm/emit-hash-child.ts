// Child-process half of the determinism test: prints the SHA-256 of emitWasm(samplePolicy).
import { createHash } from 'node:crypto';
import { emitWasm } from '../../../engine/wasm/index.js';
import { loadRuntimeBinary } from '../../../engine/runtime/index.js';
import { samplePolicy } from './sample-policy.js';

process.stdout.write(createHash('sha256').update(emitWasm(samplePolicy, loadRuntimeBinary())).digest('hex'));
