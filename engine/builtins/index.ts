// Public surface of the builtin catalog: declarations of every OPA v1 builtin, and which ones
// a compiled module can run without host help.
export { BUILTINS } from './catalog.js';
export type { BuiltinDecl } from './catalog.js';
export { SDK_BUILTINS, LOADER_BUILTINS, isNativeBuiltin, isSdkBuiltin, isLoaderBuiltin } from './support.js';
