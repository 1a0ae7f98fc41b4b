/**
 * A module (or anything else) loaded once for every caller: an `import()` of a module already
 * loaded still goes through the module loader (and its hooks, where a loader such as tsx is
 * registered), which a per-page or per-poll import would pay for every time. A failed load is
 * forgotten, so that the next call tries again.
 * @example const loadAtom = loadOnce(() => import("./atom.js"));
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
