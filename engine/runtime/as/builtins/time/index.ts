// Native builtins of the "time" family (see engine/builtins-native/time.ts).
export {};
