/**
 * `load` runs on the first call only, and every call gets that one promise: how the wiring loads an
 * AWS client a function needs on some requests only, instead of at every cold start.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}
