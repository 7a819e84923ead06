/**
 * What AWS Backup can back up, and what each resource type supports.
 *
 * Pure data and functions: no CDK scope is needed, so the constructs, the
 * handlers and the CLI share one table.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-feature-availability.html
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StopBackupJob.html
 */
import { parseArn } from './arns';

/** How a resource type treats `Lifecycle.MoveToColdStorageAfterDays`. */
export type ColdStorageSupport = 'supported' | 'opt-in' | 'ignored';

/** AWS Backup's facts about one resource type. */
export interface ResourceTypeInfo {
  /** AWS Backup's name of the type, as in `ResourceType` (e.g. `DynamoDB`). */
  readonly name: string;
  /** Whether a backup of this type moves to cold storage per the lifecycle. */
  readonly coldStorage: ColdStorageSupport;
  /** Whether `Index: ENABLED` is accepted (backup indexes). */
  readonly index: boolean;
  /** Whether the `WindowsVSS` backup option applies. */
  readonly windowsVss: boolean;
  /** Whether StopBackupJob can stop a running job of this type. */
  readonly stoppable: boolean;
  /**
   * IAM resource patterns of this type's recovery points, beyond AWS Backup's own
   * `recovery-point:*` ARNs: a recovery point of some types is the service's own
   * snapshot, and IAM authorizes `backup:DeleteRecoveryPoint` against that ARN.
   * `{p}`, `{r}` and `{a}` stand for partition, region and account.
   */
  readonly recoveryPointArnPatterns: readonly string[];
  /**
   * The restore metadata keys AWS Backup documents for the type (read without
   * regard to case); undefined where the library does not know them.
   */
  readonly restoreMetadataKeys?: readonly string[];
  /** Keys a restore always needs from the user (the backed-up metadata lacks them). */
  readonly requiredRestoreMetadata?: readonly string[];
  /** Keys a restore needs when it does not start from the backed-up metadata. */
  readonly requiredRestoreMetadataWithoutBackedUp?: readonly string[];
  /** The key that names the restored resource, which must differ from the source's name (a restore test beside its source). */
  readonly restoreTargetNameKey?: string;
}

const BACKUP_RECOVERY_POINT = 'arn:{p}:backup:{r}:{a}:recovery-point:*';
const EC2_SNAPSHOT = 'arn:{p}:ec2:{r}::snapshot/*';
const RDS_CLUSTER_SNAPSHOT = 'arn:{p}:rds:{r}:{a}:cluster-snapshot:awsbackup:*';

function info(name: string, facts: Partial<Omit<ResourceTypeInfo, 'name'>> = {}): ResourceTypeInfo {
  return {
    ...facts,
    name,
    coldStorage: facts.coldStorage ?? 'ignored',
    index: facts.index ?? false,
    windowsVss: facts.windowsVss ?? false,
    stoppable: facts.stoppable ?? true,
    recoveryPointArnPatterns: [BACKUP_RECOVERY_POINT, ...(facts.recoveryPointArnPatterns ?? [])],
  };
}

// Restore metadata keys, from AWS Backup's restore documentation (StartRestoreJob, "Restore
// testing inferred metadata", and each service's restore page).
const CLUSTER_RESTORE_KEYS = [
  'availabilityZones', 'dbClusterIdentifier', 'engine', 'databaseName', 'dbClusterParameterGroupName', 'dbSubnetGroupName',
  'enableCloudwatchLogsExports', 'enableIamDatabaseAuthentication', 'engineMode', 'engineVersion', 'kmsKeyId', 'port',
  'optionGroupName', 'scalingConfiguration', 'vpcSecurityGroupIds', 'deletionProtection', 'copyTagsToSnapshot',
];

/** Every resource type AWS Backup can back up, by AWS Backup's name. */
export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeInfo>> = Object.fromEntries(
  [
    info('Aurora', { stoppable: false, recoveryPointArnPatterns: [RDS_CLUSTER_SNAPSHOT], restoreMetadataKeys: CLUSTER_RESTORE_KEYS }),
    info('CloudFormation', { coldStorage: 'supported' }),
    info('DocumentDB', { stoppable: false, recoveryPointArnPatterns: [RDS_CLUSTER_SNAPSHOT], restoreMetadataKeys: CLUSTER_RESTORE_KEYS }),
    info('DynamoDB', {
      coldStorage: 'supported',
      recoveryPointArnPatterns: ['arn:{p}:dynamodb:{r}:{a}:table/*/backup/*'],
      restoreMetadataKeys: ['targetTableName', 'encryptionType', 'kmsMasterKeyArn', 'deletionProtection', 'aws:backup:request-id', 'originalTableName'],
      requiredRestoreMetadata: ['targetTableName'],
      restoreTargetNameKey: 'targetTableName',
    }),
    info('EBS', {
      coldStorage: 'opt-in',
      index: true,
      recoveryPointArnPatterns: [EC2_SNAPSHOT],
      restoreMetadataKeys: ['availabilityZone', 'encrypted', 'iops', 'kmsKeyId', 'throughput', 'volumeSize', 'volumeType'],
      requiredRestoreMetadataWithoutBackedUp: ['availabilityZone'],
    }),
    info('EC2', {
      windowsVss: true,
      recoveryPointArnPatterns: ['arn:{p}:ec2:{r}::image/*', EC2_SNAPSHOT],
      restoreMetadataKeys: ['iamInstanceProfileName', 'instanceType', 'requireImdsV2', 'securityGroupIds', 'subnetId', 'vpcId', 'disableApiTermination', 'keyName', 'placement', 'blockDeviceMappings', 'networkInterfaces'],
    }),
    info('EFS', {
      coldStorage: 'supported',
      restoreMetadataKeys: ['file-system-id', 'Encrypted', 'KmsKeyId', 'PerformanceMode', 'CreationToken', 'newFileSystem', 'ItemsToRestore'],
      requiredRestoreMetadataWithoutBackedUp: ['file-system-id', 'Encrypted', 'PerformanceMode', 'CreationToken', 'newFileSystem'],
    }),
    info('EKS'),
    info('FSx', { stoppable: false, recoveryPointArnPatterns: ['arn:{p}:fsx:{r}:{a}:backup/*'] }),
    info('Neptune', { stoppable: false, recoveryPointArnPatterns: [RDS_CLUSTER_SNAPSHOT], restoreMetadataKeys: CLUSTER_RESTORE_KEYS }),
    info('RDS', {
      stoppable: false,
      recoveryPointArnPatterns: ['arn:{p}:rds:{r}:{a}:snapshot:awsbackup:*', RDS_CLUSTER_SNAPSHOT],
      restoreMetadataKeys: [
        'dbInstanceIdentifier', 'deletionProtection', 'multiAz', 'publiclyAccessible', 'allocatedStorage', 'availabilityZone',
        'availabilityZones', 'dbInstanceClass', 'dbName', 'dbParameterGroupName', 'dbSubnetGroupName', 'domain', 'domainIamRoleName',
        'enableCloudwatchLogsExports', 'enableIamDatabaseAuthentication', 'iops', 'licenseModel', 'optionGroupName', 'port',
        'processorFeatures', 'storageType', 'vpcSecurityGroupIds', 'engine', 'copyTagsToSnapshot',
      ],
    }),
    info('Redshift', { recoveryPointArnPatterns: ['arn:{p}:redshift:{r}:{a}:snapshot:*/awsbackup:*'] }),
    info('S3', {
      index: true,
      restoreMetadataKeys: ['DestinationBucketName', 'NewBucket', 'Encrypted', 'EncryptionType', 'KMSKey', 'CreationToken', 'ItemsToRestore', 'RestoreACLs'],
      requiredRestoreMetadataWithoutBackedUp: ['DestinationBucketName'],
    }),
    info('SAP HANA on Amazon EC2', { coldStorage: 'supported', stoppable: false }),
    info('Storage Gateway', { recoveryPointArnPatterns: [EC2_SNAPSHOT] }),
    info('Timestream', { coldStorage: 'supported' }),
    info('VirtualMachine', { coldStorage: 'supported' }),
  ].map((t) => [t.name, t]),
);

/** The names of every supported type, for messages. */
export const RESOURCE_TYPE_NAMES: readonly string[] = Object.keys(RESOURCE_TYPES);

/** The facts of a type, or undefined when AWS Backup has no such type. */
export function resourceTypeInfo(name: string): ResourceTypeInfo | undefined {
  return Object.prototype.hasOwnProperty.call(RESOURCE_TYPES, name) ? RESOURCE_TYPES[name] : undefined;
}

/** The result of reading a resource ARN. */
export type ArnTypeResult =
  | { readonly resourceType: string; readonly alternatives: readonly string[] }
  | { readonly error: string };

interface ArnRule {
  readonly service: string;
  readonly resource: RegExp;
  /** The resource part AWS Backup expects, for messages. */
  readonly shape: string;
  readonly type: string;
  /** Other types whose resources share this ARN shape. */
  readonly alternatives?: readonly string[];
}

/** ARN shapes of the resources AWS Backup backs up (service, resource part). */
const ARN_RULES: readonly ArnRule[] = [
  { service: 'dynamodb', resource: /^table\/[A-Za-z0-9_.-]{3,255}$/, shape: 'table/<name of 3 to 255 characters>', type: 'DynamoDB' },
  { service: 'rds', resource: /^db:[A-Za-z][A-Za-z0-9-]{0,62}$/, shape: 'db:<instance>', type: 'RDS' },
  // Aurora, DocumentDB, Neptune and Multi-AZ RDS clusters share the rds cluster ARN.
  {
    service: 'rds',
    resource: /^cluster:[A-Za-z][A-Za-z0-9-]{0,62}$/,
    shape: 'cluster:<cluster>',
    type: 'Aurora',
    alternatives: ['DocumentDB', 'Neptune', 'RDS'],
  },
  { service: 'elasticfilesystem', resource: /^file-system\/fs-[0-9a-f]+$/, shape: 'file-system/fs-<id>', type: 'EFS' },
  { service: 'ec2', resource: /^instance\/i-[0-9a-f]+$/, shape: 'instance/i-<id>', type: 'EC2', alternatives: ['SAP HANA on Amazon EC2'] },
  { service: 'ec2', resource: /^volume\/vol-[0-9a-f]+$/, shape: 'volume/vol-<id>', type: 'EBS' },
  { service: 's3', resource: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, shape: '<bucket> (a bucket, not an object)', type: 'S3' },
  {
    service: 'fsx',
    resource: /^(file-system\/fs-[0-9a-f]+|volume\/fs-[0-9a-f]+\/fsvol-[0-9a-f]+)$/,
    shape: 'file-system/fs-<id> or volume/fs-<id>/fsvol-<id>',
    type: 'FSx',
  },
  {
    service: 'storagegateway',
    resource: /^gateway\/sgw-[0-9A-F]+\/volume\/vol-[0-9A-F]+$/,
    shape: 'gateway/sgw-<id>/volume/vol-<id>',
    type: 'Storage Gateway',
  },
  { service: 'redshift', resource: /^cluster:[a-z][a-z0-9-]{0,62}$/, shape: 'cluster:<cluster>', type: 'Redshift' },
  { service: 'timestream', resource: /^database\/[^/]+\/table\/[^/]+$/, shape: 'database/<db>/table/<table>', type: 'Timestream' },
  { service: 'cloudformation', resource: /^stack\/[A-Za-z][A-Za-z0-9-]*\/.+$/, shape: 'stack/<name>/<id>', type: 'CloudFormation' },
  { service: 'eks', resource: /^cluster\/[A-Za-z0-9][A-Za-z0-9_-]*$/, shape: 'cluster/<name>', type: 'EKS' },
  { service: 'backup-gateway', resource: /^vm\/vm-[0-9a-zA-Z-]+$/, shape: 'vm/vm-<id>', type: 'VirtualMachine' },
  { service: 'ssm-sap', resource: /^HANA\/.+$/, shape: 'HANA/<application>', type: 'SAP HANA on Amazon EC2' },
];

/**
 * Reads the AWS Backup resource type from a literal resource ARN.
 *
 * Returns an error (a sentence, for a message naming the property) when the
 * ARN is malformed or names a resource AWS Backup cannot back up.
 */
export function resourceTypeFromArn(arn: string): ArnTypeResult {
  const parts = parseArn(arn);
  if (!parts) {
    return { error: 'is not an ARN (arn:partition:service:region:account:resource)' };
  }
  const { service, resource } = parts;
  const rules = ARN_RULES.filter((r) => r.service === service);
  if (rules.length === 0) {
    return { error: `names a ${service} resource, which AWS Backup cannot back up (supported: ${RESOURCE_TYPE_NAMES.join(', ')})` };
  }
  const rule = rules.find((r) => r.resource.test(resource));
  if (!rule) {
    const shapes = rules.map((r) => r.shape).join(' or ');
    return { error: `names the ${service} resource "${resource}", which is not one AWS Backup backs up (expected ${shapes})` };
  }
  return { resourceType: rule.type, alternatives: rule.alternatives ?? [] };
}

/** Fills a recovery point ARN pattern with a partition, region and account. */
export function fillArnPattern(pattern: string, partition: string, region: string, account: string): string {
  return pattern.replace(/\{p\}/g, partition).replace(/\{r\}/g, region).replace(/\{a\}/g, account);
}
