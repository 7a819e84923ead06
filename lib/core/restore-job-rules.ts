/**
 * The rules a restore job's settings must follow, as pure functions: the
 * metadata AWS Backup needs for each type, and ours. The RestoreJob construct
 * calls them at synth time and the CLI before it calls AWS.
 */
import { quoted, ValidationResult, ValidationWarning } from './messages';
import { RESOURCE_TYPE_NAMES, resourceTypeInfo } from './resource-types';
import { timeoutErrors } from './timing';

/** ResourceType in the AWS Backup API model (StartRestoreJob sends a type only when it matches). */
export const RESOURCE_TYPE_PATTERN = /^[a-zA-Z0-9\-_.]{1,50}$/;

/** The value of a metadata key, whatever its case (AWS Backup reads restore metadata keys without regard to case). */
export function metadataValue(metadata: Readonly<Record<string, string>>, key: string): string | undefined {
  const found = Object.keys(metadata).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : metadata[found];
}

/** The settings of one restore job. Leave out what is unknown (tokens). */
export interface RestoreJobSettings {
  readonly resourceType?: string;
  /** The metadata overrides, as given (values may be tokens). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Whether a value is not known yet (a CDK token); such a value is only compared for identity. */
  readonly isUnresolved?: (value: string) => boolean;
  readonly useBackedUpMetadata: boolean;
  /** The name of the resource the recovery point was taken of, when known. */
  readonly sourceResourceName?: string;
  readonly timeoutSeconds?: number;
  /** Whether the restored resource is deleted with the stack (removal policy DESTROY). */
  readonly destroy?: boolean;
}

/** How each restore setting is called where it was given. */
export interface RestoreSettingNames {
  readonly resourceType: string;
  readonly metadata: string;
  readonly useBackedUpMetadata: string;
  readonly timeoutSeconds: string;
  readonly removalPolicy: string;
}

/** The names of the `RestoreJob` construct's props. */
export const RESTORE_CONSTRUCT_SETTING_NAMES: RestoreSettingNames = {
  resourceType: 'recoveryPoint.resourceType',
  metadata: 'metadata',
  useBackedUpMetadata: 'useBackedUpMetadata',
  timeoutSeconds: 'timeout',
  removalPolicy: 'removalPolicy',
};

/** Resource types whose restored resource the handlers can delete (removal policy DESTROY). */
export const RESTORE_DESTROY_TYPES: readonly string[] = ['DynamoDB'];

/** Checks a restore job's settings: the metadata AWS Backup needs for the type, and ours. */
export function validateRestoreJob(settings: RestoreJobSettings, names: RestoreSettingNames = RESTORE_CONSTRUCT_SETTING_NAMES): ValidationResult {
  const errors: string[] = [];
  const warnings: ValidationWarning[] = [];
  const type = settings.resourceType === undefined ? undefined : resourceTypeInfo(settings.resourceType);
  if (settings.resourceType !== undefined && !type) {
    errors.push(`${names.resourceType} (${quoted(settings.resourceType)}) is not a resource type AWS Backup backs up (supported: ${RESOURCE_TYPE_NAMES.join(', ')})`);
  }
  const keys = Object.keys(settings.metadata);
  const given = new Set(keys.map((k) => k.toLowerCase()));
  const valueOf = (key: string) => {
    const value = metadataValue(settings.metadata, key);
    return value === undefined || settings.isUnresolved?.(value) ? undefined : value;
  };

  if (type) {
    const required = [
      ...(type.requiredRestoreMetadata ?? []),
      ...(settings.useBackedUpMetadata ? [] : type.requiredRestoreMetadataWithoutBackedUp ?? []),
    ];
    const missing = [...new Set(required)].filter((key) => !given.has(key.toLowerCase()));
    if (missing.length > 0) {
      const them = missing.length > 1 ? 'them' : 'it';
      const needsOwn = (type.requiredRestoreMetadata ?? []).some((k) => missing.includes(k));
      const why = settings.useBackedUpMetadata || needsOwn
        ? `${type.name} restores need ${them}`
        : `${type.name} restores that do not start from the backed-up metadata (${names.useBackedUpMetadata}: false) need ${them}`;
      errors.push(`${names.metadata} must contain ${missing.map((k) => `"${k}"`).join(', ')}: ${why}`);
    }
    if (type.restoreTargetNameKey && settings.sourceResourceName !== undefined) {
      // Compared as given: two tokens are equal only when they are the same token.
      const target = metadataValue(settings.metadata, type.restoreTargetNameKey);
      if (target !== undefined && target === settings.sourceResourceName) {
        const shown = settings.isUnresolved?.(target) ? 'the same token' : `"${target}"`;
        errors.push(`${names.metadata}.${type.restoreTargetNameKey} (${shown}) must differ from the name of the ${type.name} resource the backup was taken of: the restore creates a new resource`);
      }
    }
    if (type.name === 'DynamoDB') {
      const encryption = valueOf('encryptionType');
      if (encryption !== undefined && encryption !== 'Default' && encryption !== 'KMS') {
        errors.push(`${names.metadata}.encryptionType (${quoted(encryption)}) must be "Default" or "KMS"`);
      }
      if (given.has('kmsmasterkeyarn') && encryption !== undefined && encryption !== 'KMS') {
        errors.push(`${names.metadata}.kmsMasterKeyArn needs encryptionType "KMS" (it is "${encryption}")`);
      }
    }
    if (type.restoreMetadataKeys) {
      const known = new Set(type.restoreMetadataKeys.map((k) => k.toLowerCase()));
      const unknown = keys.filter((k) => !known.has(k.toLowerCase()));
      if (unknown.length > 0) {
        warnings.push({
          id: 'UnknownRestoreMetadata',
          message: `${names.metadata} has ${unknown.map((k) => `"${k}"`).join(', ')}, which AWS Backup does not document for ${type.name} restores (known: ${type.restoreMetadataKeys.join(', ')})`,
        });
      }
    }
    if (settings.destroy && !RESTORE_DESTROY_TYPES.includes(type.name)) {
      errors.push(`${names.removalPolicy} DESTROY deletes restored ${RESTORE_DESTROY_TYPES.join(', ')} resources only; a restored ${type.name} resource would be left behind (use RETAIN)`);
    }
  }
  errors.push(...timeoutErrors(settings.timeoutSeconds, names.timeoutSeconds));
  return { errors, warnings };
}
