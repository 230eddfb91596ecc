// Native builtins of the "data" family (see engine/builtins-native/data.ts).
export {};
