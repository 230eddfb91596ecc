// Native builtins of the "text" family (see engine/builtins-native/text.ts).
export {};
