/** A name no other test (or earlier run against the same database) has used: `<tag>-<time>-<random>`. */
export function unique(tag: string): string {
  return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A fresh email address at example.com. */
export function uniqueEmail(tag: string): string {
  return `${unique(tag)}@example.com`;
}
