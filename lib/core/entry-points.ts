/**
 * The functions the handler bundle (lambda/jobs/index.ts) exports, by name.
 * The constructs render `index.<name>` from here, and the bundle's exports are
 * typed by the same names: a renamed or missing entry point is a compile error.
 */
export const ENTRY_POINTS = ['onEvent', 'isComplete', 'signal', 'attempt'] as const;

export type EntryPoint = typeof ENTRY_POINTS[number];

/** The Lambda handler setting of an entry point of the bundle. */
export function handlerOf(entryPoint: EntryPoint): string {
  return `index.${entryPoint}`;
}
