// Option merging shared by every function and class that takes an options object.

/** The type `{ ...defaults, ...opts }` has, with an explicit `undefined` in opts meaning "default". */
export type WithDefaults<D, O> = {
  [K in keyof D | keyof O]: K extends keyof O
    ? K extends keyof D
      ? Exclude<O[K], undefined> | D[K]
      : O[K]
    : K extends keyof D
      ? D[K]
      : never;
};

/**
 * `opts` over `defaults`, where a key set to `undefined` keeps its default — as omitting it
 * does. A plain spread would let `{ bias: undefined }` override `bias: true` (a caller passing
 * an optional value through would silently switch a feature off).
 */
export function withDefaults<D extends object, O extends object>(
  defaults: D,
  opts: O | undefined,
): WithDefaults<D, O> {
  const out = { ...defaults } as Record<string, unknown>;
  if (opts) {
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) out[k] = v;
  }
  return out as WithDefaults<D, O>;
}
