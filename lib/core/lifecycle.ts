/**
 * A recovery point's lifecycle, as a backup (StartBackupJob) and a copy
 * (StartCopyJob) set it: the Lifecycle of their requests, how a handler reads
 * it back, and the rules it must follow. Pure, like the rest of the core.
 */
import { amount, isWholeInRange, ValidationResult, ValidationWarning } from './messages';
import { Delivered, dropUndefined, parseBoolean, parseInteger } from './properties';
import type { ResourceTypeInfo } from './resource-types';

/** AWS Backup's limits of a lifecycle. */
export const LIFECYCLE_LIMITS = {
  /** Lifecycle values are whole days in this range (100 years at most). */
  minDays: 1,
  maxDays: 36_500,
  /** A recovery point stays in cold storage at least this long. */
  coldStorageMinDays: 90,
} as const;

/** A recovery point's lifecycle in a request (StartBackupJob, StartCopyJob). */
export interface LifecycleProperties {
  readonly MoveToColdStorageAfterDays?: number;
  readonly DeleteAfterDays?: number;
  readonly OptInToArchiveForSupportedResources?: boolean;
}

/** A recovery point's lifecycle, as a backup or a copy sets it, in days. Leave out what is unknown (tokens). */
export interface LifecycleSettings {
  readonly moveToColdStorageAfterDays?: number;
  readonly deleteAfterDays?: number;
  readonly optInToArchiveForSupportedResources?: boolean;
}

/** The names of the lifecycle settings where they were given. */
export type LifecycleNames = Readonly<Record<keyof LifecycleSettings, string>>;

/** A lifecycle in AWS Backup's units: the one mapping from settings to the API's Lifecycle (undefined when empty). */
export function lifecycleRequest(request: LifecycleSettings): LifecycleProperties | undefined {
  const lifecycle = dropUndefined({
    MoveToColdStorageAfterDays: request.moveToColdStorageAfterDays,
    DeleteAfterDays: request.deleteAfterDays,
    OptInToArchiveForSupportedResources: request.optInToArchiveForSupportedResources,
  });
  return Object.keys(lifecycle).length > 0 ? lifecycle : undefined;
}

/** Reads a request's Lifecycle property. */
export function parseLifecycle(value: unknown): LifecycleProperties | undefined {
  if (value === undefined || value === null) return undefined;
  const raw = value as Delivered<LifecycleProperties>;
  return dropUndefined({
    MoveToColdStorageAfterDays: parseInteger(raw.MoveToColdStorageAfterDays, 'Lifecycle.MoveToColdStorageAfterDays'),
    DeleteAfterDays: parseInteger(raw.DeleteAfterDays, 'Lifecycle.DeleteAfterDays'),
    OptInToArchiveForSupportedResources: parseBoolean(raw.OptInToArchiveForSupportedResources, 'Lifecycle.OptInToArchiveForSupportedResources'),
  });
}

/** Checks a lifecycle against AWS Backup's rules (whole days, 90 days in cold storage) and what the resource type does with it. */
export function validateLifecycle(settings: LifecycleSettings, type: ResourceTypeInfo | undefined, names: LifecycleNames): ValidationResult {
  const errors: string[] = [];
  const warnings: ValidationWarning[] = [];
  const cold = settings.moveToColdStorageAfterDays;
  const del = settings.deleteAfterDays;
  for (const [key, value] of [['moveToColdStorageAfterDays', cold], ['deleteAfterDays', del]] as const) {
    if (value !== undefined && !isWholeInRange(value, LIFECYCLE_LIMITS.minDays, LIFECYCLE_LIMITS.maxDays)) {
      errors.push(`${names[key]} (${amount(value, 'day')}) must be a whole number of days from ${LIFECYCLE_LIMITS.minDays} to ${LIFECYCLE_LIMITS.maxDays}`);
    }
  }
  if (cold !== undefined && del !== undefined && del < cold + LIFECYCLE_LIMITS.coldStorageMinDays) {
    errors.push(`${names.deleteAfterDays} (${amount(del, 'day')}) must be at least ${names.moveToColdStorageAfterDays} + ${LIFECYCLE_LIMITS.coldStorageMinDays} days (${amount(cold + LIFECYCLE_LIMITS.coldStorageMinDays, 'day')}): a recovery point stays in cold storage for at least ${LIFECYCLE_LIMITS.coldStorageMinDays} days`);
  }
  if (cold !== undefined && type) {
    if (type.coldStorage === 'ignored') {
      warnings.push({
        id: 'ColdStorageIgnored',
        message: `${names.moveToColdStorageAfterDays} (${amount(cold, 'day')}) has no effect: AWS Backup does not move ${type.name} backups to cold storage`,
      });
    } else if (type.coldStorage === 'opt-in' && settings.optInToArchiveForSupportedResources !== true) {
      warnings.push({
        id: 'ColdStorageNeedsOptIn',
        message: `${names.moveToColdStorageAfterDays} (${amount(cold, 'day')}) has no effect unless ${names.optInToArchiveForSupportedResources} is true: ${type.name} backups move to the archive tier only on opt-in`,
      });
    }
  }
  if (settings.optInToArchiveForSupportedResources === true && cold === undefined) {
    warnings.push({
      id: 'ArchiveOptInWithoutColdStorage',
      message: `${names.optInToArchiveForSupportedResources} has no effect without ${names.moveToColdStorageAfterDays}`,
    });
  }
  return { errors, warnings };
}
