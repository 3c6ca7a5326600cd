/**
 * mulberry32: a small pseudo-random generator whose whole sequence a 32-bit seed decides, for what
 * must come out the same on every run (demo data, benches, model-based tests). Never for anything
 * secret: use node:crypto for those.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
