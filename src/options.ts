// Option merging shared by every function and class that takes an options object.

import { ArgumentError } from './errors.js';

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
 * an optional value through would silently switch a feature off). With `op`, a key that is
 * neither in `defaults` nor in `extra` is an error naming the options there are: TypeScript
 * catches a misspelt option at compile time, but from JavaScript `{ strides: 2 }` would
 * otherwise be ignored without a word.
 */
export function withDefaults<D extends object, O extends object>(
  defaults: D,
  opts: O | undefined,
  op?: string,
  extra: readonly string[] = [],
): WithDefaults<D, O> {
  const out = { ...defaults } as Record<string, unknown>;
  if (opts) {
    for (const [k, v] of Object.entries(opts)) {
      if (op !== undefined && !Object.hasOwn(defaults, k) && !extra.includes(k)) {
        unknownOption(op, k, [...Object.keys(defaults), ...extra]);
      }
      if (v !== undefined) out[k] = v;
    }
  }
  return out as WithDefaults<D, O>;
}

function unknownOption(op: string, key: string, known: readonly string[]): never {
  const near = known.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  const hint = near.length > 0 ? `did you mean ${near.map((k) => `'${k}'`).join(' or ')}? ` : '';
  throw new ArgumentError(`${op}: unknown option '${key}' (${hint}options: ${known.join(', ')})`);
}

// Levenshtein distance, for the suggestion (option names are short).
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length];
}
