// The ten demos, in the order `shousi demo all` runs them. Titles and flags live here so that
// --help and option checks need no demo code; each demo module is imported only when it runs.

import type { DemoFlag, DemoRun } from './demo.js';

/** One demo: its CLI name, help line, extra flags, and its module, loaded on demand. */
export interface DemoEntry {
  name: string;
  title: string;
  flags: readonly DemoFlag[];
  load(): Promise<DemoRun>;
}

const entry = (
  name: string,
  title: string,
  flags: readonly DemoFlag[],
  load: () => Promise<{ run: DemoRun }>,
) => ({
  name,
  title,
  flags,
  load: async () => (await load()).run,
});

/** Every demo, in the order `shousi demo all` runs them. */
export const DEMOS: readonly DemoEntry[] = [
  entry(
    'linreg',
    'linear regression on California housing: minibatch SGD vs the closed form',
    ['epochs', 'lr', 'batchSize', 'raw'],
    () => import('./demos/linreg.js'),
  ),
  entry(
    'mlp',
    "the seed's sine fit with a hand-written backprop MLP and the autograd one",
    ['epochs', 'lr'],
    () => import('./demos/mlp.js'),
  ),
  entry(
    'attention',
    'scaled dot-product attention with causal and padding masks',
    [],
    () => import('./demos/attention.js'),
  ),
  entry(
    'mha',
    'multi-head attention (torch.nn.MultiheadAttention layout), weights per head',
    [],
    () => import('./demos/mha.js'),
  ),
  entry(
    'self-attention',
    'self-attention over a sequence, causal and not',
    [],
    () => import('./demos/self-attention.js'),
  ),
  entry(
    'beam-search',
    "beam search: the seed's random table, then a Markov model with EOS",
    ['batchSize'],
    () => import('./demos/beam-search.js'),
  ),
  entry(
    'kmeans',
    'k-means++ on random points, blobs and iris, with the adjusted Rand index',
    [],
    () => import('./demos/kmeans.js'),
  ),
  entry(
    'layernorm',
    'LayerNorm: normalised statistics and the float32 large-offset case',
    [],
    () => import('./demos/layernorm.js'),
  ),
  entry(
    'batchnorm',
    'BatchNorm: running statistics, train vs eval, the large-offset case',
    [],
    () => import('./demos/batchnorm.js'),
  ),
  entry(
    'conv2d',
    'Conv2d: stride/padding/dilation/groups and edge detection on an image',
    [],
    () => import('./demos/conv2d.js'),
  ),
];

/** The demos' CLI names, in order. */
export const DEMO_NAMES: readonly string[] = DEMOS.map((d) => d.name);

/** The demo list as help text: one line each. */
export function demoList(): string {
  const w = Math.max(...DEMO_NAMES.map((n) => n.length));
  return DEMOS.map((d) => `  ${d.name.padEnd(w)}  ${d.title}`).join('\n');
}
