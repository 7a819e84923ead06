/**
 * The poller's table: every kind of job that can wait through the long-wait
 * path, one line each (the first is the machine's default loop).
 */
import { BACKUP_POLLER } from './backup-job-poller';
import { COPY_POLLER } from './copy-job-poller';
import { pollerDefinition, PollerFunctions, PollerKind } from './long-wait';
import { RESTORE_POLLER } from './restore-job-poller';
import { SCAN_POLLER } from './scan-job-poller';

export const LONG_WAIT_KINDS = {
  backup: BACKUP_POLLER,
  restore: RESTORE_POLLER,
  copy: COPY_POLLER,
  scan: SCAN_POLLER,
} as const satisfies Record<string, PollerKind>;

/** A kind of job the poller waits for. */
export type LongWaitKind = keyof typeof LONG_WAIT_KINDS;

/** A kind by the name an execution carries; undefined for a name the poller does not know. */
export function pollerKind(name: string): PollerKind | undefined {
  return Object.values(LONG_WAIT_KINDS).find((kind) => kind.name === name);
}

/** The stack's poller: a loop for each kind of the table. */
export function longWaitDefinition(functions: PollerFunctions): Record<string, unknown> {
  return pollerDefinition(Object.values(LONG_WAIT_KINDS), functions);
}
