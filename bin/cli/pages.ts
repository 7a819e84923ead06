/** Every page of a List call, up to a number of items: what `list` does for every kind. */

/** The items of every page, up to `maxItems` (no further page is asked for once there are enough). */
export async function upTo<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined, maxItems: number | undefined): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) {
    for (const item of items(page) ?? []) {
      if (maxItems !== undefined && all.length >= maxItems) return all;
      all.push(item);
    }
  }
  return all;
}
