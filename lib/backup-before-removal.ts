import { Annotations, CfnDeletionPolicy, CfnResource, Duration, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { BackupSettings } from './backup-settings';
import { BACKUP_BEFORE_REMOVAL, BackupBeforeRemovalProperties, PROTECTABLE_RESOURCE_TYPES } from './core/backup-before-removal-contract';
import { validateBackupJob } from './core/backup-job-rules';
import { formatErrors } from './core/messages';
import { DEFAULT_TIMEOUT_SECONDS, timeoutErrors } from './core/timing';
import { ProtectedResource } from './protected-resource';
import { grantGuard } from './private/backup-before-removal-grants';
import { guardAllAspect } from './private/guard-all';
import { guardsOf, keptBy } from './private/guarded';
import { backupRequestOf, backupVaultAndRole, lengthsOf, settingsErrors, settingsOf } from './private/backup-settings';
import { atSynth, known } from './private/durations';
import { grantOf } from './private/grants';
import { JobProvider } from './private/provider';
import { passRoleGrant } from './private/service-roles';

/** How a {@link BackupBeforeRemoval} takes its backup (also what `BackupBeforeRemoval.guardAll` gives every guard). */
export interface BackupBeforeRemovalOptions extends BackupSettings {
  /**
   * How long CloudFormation waits for the backup (including a wait for
   * another job of the same resource to end) before the deletion or the
   * replacement fails. Whole seconds, from one minute to 58 minutes: the
   * backup is waited for by a custom resource alone, which CloudFormation
   * waits for at most an hour (a stack's deletion cannot wait through a
   * WaitCondition).
   *
   * @default Duration.minutes(58)
   */
  readonly timeout?: Duration;

  /**
   * Accept a backup that ends PARTIAL as a success.
   *
   * @default false
   */
  readonly allowPartial?: boolean;

  /**
   * When the backup before a deletion fails or times out, turn on the
   * resource's own deletion protection (DynamoDB tables, RDS DB instances and
   * Aurora clusters: DeletionProtection; EC2 instances: DisableApiTermination), so that CloudFormation
   * cannot delete it unbacked-up: CloudFormation is reported to go on deleting
   * a resource after a resource that depends on it (the guard) failed to
   * delete. The failure message says how to turn it off again.
   *
   * @default true
   */
  readonly protectOnFailure?: boolean;
}

/** Properties of a {@link BackupBeforeRemoval}. */
export interface BackupBeforeRemovalProps extends BackupBeforeRemovalOptions {
  /** The resource to back up before CloudFormation deletes or replaces it: a resource of this guard's stack. */
  readonly resource: ProtectedResource;

  /**
   * The construct that defines the resource in this stack: an L2 construct
   * (e.g. a `dynamodb.Table`) or its `CfnResource`. The guard is ordered before
   * the resource's deletion and reads its removal policies.
   *
   * @default - the resource of this stack that `resource`'s ARN refers to
   *   (required when the ARN is a literal)
   */
  readonly resourceConstruct?: IConstruct;
}

/**
 * Takes an AWS Backup of a resource, and waits until it is COMPLETED, before
 * CloudFormation deletes or replaces the resource: when the stack is deleted,
 * when the resource leaves the template, and when an update replaces it (the
 * old resource is backed up before the update completes, so a failed backup
 * rolls the update back). Removing only the guard, and rolling back the
 * deployment that created the resource, take no backup. A resource that
 * CloudFormation keeps (removal policy RETAIN, or SNAPSHOT on a type that
 * supports it) is not backed up on that path (a synth warning says so).
 *
 * The recovery points are tagged `cdk-backup-jobs:stack`, `cdk-backup-jobs:logical-id`
 * and `cdk-backup-jobs:reason`; `backup-jobs list --before-removal` finds them.
 *
 * @example
 * new BackupBeforeRemoval(this, 'OrdersGuard', {
 *   resource: ProtectedResource.fromDynamoDbTable(table),
 *   lifecycle: { deleteAfter: Duration.days(90) },
 * });
 */
export class BackupBeforeRemoval extends Construct {
  /**
   * Guards every resource under `scope` that AWS Backup can back up (DynamoDB
   * tables, EFS and FSx file systems, S3 buckets with versioning, EBS volumes,
   * EC2 instances, RDS instances, Aurora, DocumentDB and Neptune clusters)
   * and that CloudFormation would not keep anyway: an aspect adds a
   * `BackupBeforeRemoval` beside each one at synth, sharing one vault and one
   * role per stack unless `options` name them.
   */
  public static guardAll(scope: IConstruct, options: BackupBeforeRemovalOptions = {}): void {
    guardAllAspect(scope, options, (parent, id, props) => new BackupBeforeRemoval(parent, id, props));
  }

  /** What is backed up. */
  public readonly resource: ProtectedResource;
  /** The CloudFormation resource guarded. */
  public readonly guardedResource: CfnResource;
  /** The vault the recovery points are stored in. */
  public readonly backupVault: backup.IBackupVault;
  /** The role AWS Backup assumes for the backups. */
  public readonly backupRole: iam.IRole;

  constructor(scope: Construct, id: string, props: BackupBeforeRemovalProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS);

    // Every check before anything is created; all problems in one error.
    const errors = settingsErrors(props);
    const lengths = lengthsOf(props, timeout, errors);
    errors.push(...timeoutErrors(known(lengths.timeoutSeconds), 'timeout', 'removal'));
    if (Token.isUnresolved(lengths.timeoutSeconds)) errors.push('timeout must be known at synth (a backup before a removal waits at most 58 minutes)');
    const result = validateBackupJob(settingsOf(props.resource.resourceType, props, lengths));
    errors.push(...result.errors);
    const guarded = guardedResourceOf(this, props, errors);
    if (props.backupVault) errors.push(...vaultErrors(this, props.backupVault));
    if (errors.length > 0 || !guarded) {
      throw new Error(formatErrors(`BackupBeforeRemoval ${this.node.path}`, errors));
    }
    for (const warning of result.warnings) {
      Annotations.of(this).addWarningV2(`cdk-backup-jobs:${warning.id}`, warning.message);
    }
    // At synth, once every removal policy was applied (an aspect may apply one after this constructor).
    this.node.addValidation({ validate: () => { warnIfKept(this, guarded); return []; } });

    this.resource = props.resource;
    this.guardedResource = guarded;
    const { vault, role } = backupVaultAndRole(this, props, props.resource.resourceType);
    this.backupVault = vault;
    this.backupRole = role;
    const protectOnFailure = props.protectOnFailure !== false && PROTECTABLE_RESOURCE_TYPES.has(props.resource.resourceType);

    const provider = JobProvider.getOrCreate(this);
    const properties: BackupBeforeRemovalProperties = {
      ...backupRequestOf(props.resource, props, vault, role, lengths),
      ResourceType: props.resource.resourceType,
      ResourceLogicalId: Stack.of(guarded).resolve(guarded.logicalId),
      TimeoutSeconds: lengths.timeoutSeconds!,
      AllowPartial: props.allowPartial ? true : undefined,
      // Read at synth, after every removal policy was applied.
      BackupOnDelete: atSynth(() => (keptBy(guarded).onDelete ? false : undefined)),
      BackupOnReplace: atSynth(() => (keptBy(guarded).onReplace ? false : undefined)),
      ProtectOnFailure: protectOnFailure ? true : undefined,
    };
    const resource = provider.jobResource(this, BACKUP_BEFORE_REMOVAL, lengths.timeoutSeconds!, properties);
    // CloudFormation deletes the guard before the resource, and updates it after the resource's replacement.
    resource.node.addDependency(guarded);
    // What empties the resource when CloudFormation deletes it (a bucket's autoDeleteObjects) depends only on the
    // resource too, and would be deleted beside the guard: the guard depends on it, so that CloudFormation deletes
    // the guard (which backs the resource up) first. A replacement empties the old resource in the cleanup phase
    // (the emptier's Delete of its old physical id, aws-cdk-lib 2.134 and later), after the guard's Update.
    for (const emptier of emptiersOf(guarded)) resource.node.addDependency(emptier);
    grantGuard(provider, resource, {
      vault: grantOf(vault, vault.backupVaultArn),
      role: passRoleGrant(role),
      resourceType: props.resource.resourceType,
      resourceArn: props.resource.resourceArn,
      logicallyAirGappedVaultArn: props.logicallyAirGappedBackupVaultArn,
      protectOnFailure,
    });
    if (props.backupRole) {
      // A role given by the user may get its permissions from policies declared elsewhere.
      resource.node.addDependency(props.backupRole);
    }
    guardsOf.add(guarded);
  }
}

/** The custom resources that empty a resource when CloudFormation deletes it: an S3 bucket's `autoDeleteObjects`. */
const EMPTYING_TYPES = new Set(['Custom::S3AutoDeleteObjects']);

/** The resources of the guarded resource's construct that empty it at its deletion. */
function emptiersOf(guarded: CfnResource): CfnResource[] {
  // The L2 construct that owns the CfnResource (its parent) makes them beside it.
  const owner = guarded.node.scope;
  if (!owner || Stack.isStack(owner)) return [];
  return owner.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && EMPTYING_TYPES.has(c.cfnResourceType));
}

/** Says at synth which paths take no backup because CloudFormation keeps the resource. */
function warnIfKept(guard: Construct, guarded: CfnResource): void {
  const kept = keptBy(guarded);
  const { deletionPolicy, updateReplacePolicy } = guarded.cfnOptions;
  if (kept.onDelete && kept.onReplace) {
    Annotations.of(guard).addWarningV2('cdk-backup-jobs:guard-kept',
      `No backup is ever taken: CloudFormation keeps ${guarded.node.path} when it deletes or replaces it (DeletionPolicy ${deletionPolicy}, UpdateReplacePolicy ${updateReplacePolicy})`);
  } else if (kept.onDelete) {
    Annotations.of(guard).addWarningV2('cdk-backup-jobs:guard-kept-on-delete',
      `No backup before a deletion: CloudFormation keeps ${guarded.node.path} when it deletes it (DeletionPolicy ${deletionPolicy}); it is backed up only before a replacement`);
  } else if (kept.onReplace) {
    Annotations.of(guard).addWarningV2('cdk-backup-jobs:guard-kept-on-replace',
      `No backup before a replacement: CloudFormation keeps the replaced ${guarded.node.path} (UpdateReplacePolicy ${updateReplacePolicy}); it is backed up only before a deletion`);
  }
}

/** The CloudFormation resource the guard protects: `resourceConstruct`'s, or the one of this stack the ARN refers to. */
function guardedResourceOf(guard: Construct, props: BackupBeforeRemovalProps, errors: string[]): CfnResource | undefined {
  let found: CfnResource | undefined;
  if (props.resourceConstruct) {
    const c = props.resourceConstruct;
    found = CfnResource.isCfnResource(c) ? c : CfnResource.isCfnResource(c.node.defaultChild) ? c.node.defaultChild as CfnResource : undefined;
    if (!found) {
      errors.push(`resourceConstruct (${c.node.path}) is neither a CfnResource nor a construct with one as its default child`);
      return undefined;
    }
  } else {
    const arn = props.resource.resourceArn;
    const targets = Token.isUnresolved(arn)
      ? [...new Set(Tokenization.reverseString(arn).tokens.filter(Reference.isReference).map((r) => r.target).filter(CfnResource.isCfnResource))]
      : [];
    if (targets.length !== 1) {
      errors.push(`resource (${Token.isUnresolved(arn) ? 'an ARN token' : arn}) ${targets.length ? 'refers to more than one resource' : 'refers to no resource of this app'}: pass resourceConstruct, the construct that defines it in this stack`);
      return undefined;
    }
    found = targets[0];
  }
  if (Stack.of(found) !== Stack.of(guard)) {
    errors.push(`resource ${found.node.path} is in stack ${Stack.of(found).stackName}, not in this guard's stack ${Stack.of(guard).stackName}: a guard is ordered before its resource's removal only within one stack`);
  }
  return found;
}

/** A vault that the same stack deletes would take the backups with it. */
function vaultErrors(guard: Construct, vault: backup.IBackupVault): string[] {
  const cfn = vault.node.defaultChild;
  if (!CfnResource.isCfnResource(cfn) || Stack.of(cfn) !== Stack.of(guard)) return [];
  const policy = cfn.cfnOptions.deletionPolicy;
  if (policy === CfnDeletionPolicy.RETAIN || policy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE) return [];
  return [`backupVault (${vault.node.path}) is deleted with this stack (DeletionPolicy ${policy ?? 'Delete'}): the backups taken before the stack's deletion would go with it; give it a removal policy of RETAIN, or use a vault outside this stack`];
}
