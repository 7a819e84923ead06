/**
 * Structured, one-line logs for the handlers. Presigned URLs and values the
 * API model marks sensitive (tags, restore metadata) never reach a log line.
 */

type Level = 'info' | 'warn' | 'error';

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'info') console.log(line);
  else console.warn(line);
}

/** Properties whose values the API model marks sensitive: logged by their keys only, never in a poller's input. */
export const SENSITIVE_MAPS: readonly string[] = ['RecoveryPointTags', 'Metadata'];

function redactMaps(properties: unknown): unknown {
  if (!properties || typeof properties !== 'object') return properties;
  const copy: Record<string, unknown> = { ...(properties as Record<string, unknown>) };
  for (const key of SENSITIVE_MAPS) {
    const map = copy[key];
    if (map && typeof map === 'object') {
      copy[key] = Object.fromEntries(Object.keys(map as object).map((k) => [k, '***']));
    }
  }
  // A long wait's result resource carries its job's properties.
  if (copy.Job && typeof copy.Job === 'object') copy.Job = redactMaps(copy.Job);
  return copy;
}

/** A copy of a custom resource event that is safe to log. */
export function redactEvent<T extends object>(event: T): T {
  const e = event as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...e };
  if ('ResponseURL' in copy) copy.ResponseURL = '(redacted)';
  if ('ResourceProperties' in copy) copy.ResourceProperties = redactMaps(copy.ResourceProperties);
  if ('OldResourceProperties' in copy) copy.OldResourceProperties = redactMaps(copy.OldResourceProperties);
  return copy as T;
}
