/** Svelte 5 runes everywhere: no component falls back to legacy reactivity by accident. */
export default {
  compilerOptions: { runes: true },
};
