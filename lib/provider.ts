import { createHash } from 'crypto';
import { ArnFormat, CustomResource, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeFindings, nagArn, nagResource } from './acknowledge';
import { handlerCode } from './handler-code';
import { fillArnPattern, ResourceTypeInfo, resourceTypeInfo } from './resource-types';
import { LIMITS } from './validation';

/** How often the waiter asks AWS Backup about a job. */
export const POLL_INTERVAL = Duration.seconds(15);

/** The waiter's total budget: the longest CloudFormation waits for a custom resource. */
const TOTAL_TIMEOUT = Duration.seconds(LIMITS.cloudFormationMaxWaitSeconds);

/**
 * How the vaults and backup roles that BackupJobs create in a stack are named:
 * vault names start with `vaultNamePrefix`, roles live under `rolePath`. The
 * handlers' permissions name these patterns rather than each resource, so that
 * the policy does not grow with the number of jobs and does not depend on any
 * job's resources (a job may then depend on another job without a cycle).
 */
export interface GeneratedNames {
  readonly vaultNamePrefix: string;
  readonly rolePath: string;
}

/** The generated-name patterns of a stack (stable: derived from the stack's name). */
export function generatedNames(scope: Construct): GeneratedNames {
  const stack = Stack.of(scope);
  const identity = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 8);
  return { vaultNamePrefix: `bj-${hash}-`, rolePath: `/cdk-backup-jobs/${hash}/` };
}

/** A vault name for a job's own vault: the stack's prefix and a name unique in the stack (at most 50 characters). */
export function generatedVaultName(job: Construct): string {
  const { vaultNamePrefix } = generatedNames(job);
  return vaultNamePrefix + Names.uniqueResourceName(job, { maxLength: 50 - vaultNamePrefix.length, separator: '-' });
}

/**
 * The custom resource provider of the backup jobs of one stack: one per stack,
 * shared by every job in it, so that the number of Lambda functions does not
 * grow with the number of jobs.
 *
 * onEvent starts a job; the framework's waiter calls isComplete every
 * {@link POLL_INTERVAL} until the job ends. Permissions are added as jobs are
 * declared, as one statement per action with every job's resources, so that
 * the policy stays small with hundreds of jobs.
 */
export class BackupJobProvider extends Construct {
  /** The construct id of the provider, directly under the stack. */
  public static readonly ID = 'cdk-backup-jobs.BackupJobProvider';

  /** The stack's provider, created with the stack's first job. */
  public static getOrCreate(scope: Construct): BackupJobProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(BackupJobProvider.ID);
    return (existing as BackupJobProvider | undefined) ?? new BackupJobProvider(stack, BackupJobProvider.ID);
  }

  /** The service token of the custom resources. */
  public readonly serviceToken: string;
  /** The role of the onEvent and isComplete handlers. */
  public readonly handlerRole: iam.IRole;
  /** Where the handlers and the framework log. */
  public readonly logGroup: logs.ILogGroup;

  private readonly vaultArns = new Set<string>();
  private readonly passRoleArns = new Set<string>();
  private readonly recoveryPointArns = new Set<string>();
  private readonly restorableRecoveryPointArns = new Set<string>();
  private readonly restoredTableArns = new Set<string>();
  private stopGranted = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });

    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-backup-jobs: starts and watches AWS Backup jobs during deployments',
    });
    this.logGroup.grantWrite(role);
    this.handlerRole = role;

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadBackupJobs',
      // Neither action supports resource-level permissions.
      actions: ['backup:ListBackupJobs', 'backup:DescribeBackupJob'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'StartBackupJobs',
      actions: ['backup:StartBackupJob'],
      resources: Lazy.list({ produce: () => [...this.vaultArns] }),
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PassBackupRoles',
      actions: ['iam:PassRole'],
      resources: Lazy.list({ produce: () => [...this.passRoleArns] }),
      conditions: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
    }));

    const code = handlerCode('jobs');
    const common = {
      code,
      runtime: lambda.Runtime.NODEJS_24_X,
      memorySize: 256,
      role,
      logGroup: this.logGroup,
    };
    const onEvent = new lambda.Function(this, 'OnEvent', {
      ...common,
      handler: 'index.onEvent',
      timeout: Duration.minutes(2),
      description: 'cdk-backup-jobs: starts a backup job (onEvent)',
    });
    const isComplete = new lambda.Function(this, 'IsComplete', {
      ...common,
      handler: 'index.isComplete',
      timeout: Duration.minutes(2),
      description: 'cdk-backup-jobs: describes a backup job until it ends (isComplete)',
    });

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: POLL_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup: this.logGroup,
    });
    this.serviceToken = provider.serviceToken;

    acknowledgeFindings(role, [{
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'backup:ListBackupJobs, backup:DescribeBackupJob and backup:StopBackupJob do not support resource-level permissions',
    }]);
    const functionVersions = this.node.findAll()
      .filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction)
      .map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::<${stack.resolve(fn.logicalId)}.Arn>:*]`,
        reason: 'The aws-cdk Provider framework may invoke any version of its functions (function ARN and :*)',
      }));
    acknowledgeFindings(provider, [
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The aws-cdk Provider framework functions run with AWSLambdaBasicExecutionRole; aws-cdk-lib makes their roles',
      },
      ...functionVersions,
      { id: 'AwsSolutions-SF1', reason: "Logging the waiter's executions would write the CloudFormation ResponseURL, a presigned URL, to CloudWatch Logs; the handlers log each poll instead" },
      { id: 'AwsSolutions-SF2', reason: 'The aws-cdk Provider framework offers no X-Ray tracing for its waiter state machine' },
    ]);
  }

  /**
   * A job's custom resource, served by this provider. CloudFormation's
   * ServiceTimeout is set just past the job's timeout, so that CloudFormation
   * gives up by itself shortly after the handler would have answered.
   */
  public jobResource(scope: Construct, resourceType: 'Custom::BackupJob' | 'Custom::RestoreJob', timeoutSeconds: number, properties: Record<string, unknown>): CustomResource {
    return new CustomResource(scope, 'Resource', {
      serviceToken: this.serviceToken,
      resourceType,
      serviceTimeout: Token.isUnresolved(timeoutSeconds)
        ? undefined
        : Duration.seconds(Math.min(LIMITS.cloudFormationMaxWaitSeconds, timeoutSeconds + LIMITS.responseMarginSeconds)),
      properties,
    });
  }

  /**
   * Lets the handlers start jobs in a vault with a backup role (and copy into an
   * air-gapped vault). A vault or role the job created itself is granted through
   * the stack's generated-name pattern; one given by the user by its ARN.
   */
  public grantStartBackupJob(vault: 'generated' | string, backupRole: 'generated' | string, logicallyAirGappedVaultArn?: string): void {
    const stack = Stack.of(this);
    const names = generatedNames(this);
    if (vault === 'generated') {
      this.grantPattern(this.vaultArns, stack.formatArn({
        service: 'backup', resource: 'backup-vault', resourceName: `${names.vaultNamePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }), 'The vaults that this stack\'s BackupJobs create, by their name prefix; naming each would make the policy grow with every job and depend on every job');
    } else {
      this.vaultArns.add(vault);
    }
    if (logicallyAirGappedVaultArn) this.vaultArns.add(logicallyAirGappedVaultArn);
    this.grantPassRole(backupRole);
  }

  /**
   * Lets the handlers restore recovery points of a type (StartRestoreJob and
   * GetRecoveryPointRestoreMetadata on that type's recovery points in this
   * account and region) with a restore role.
   */
  public grantStartRestoreJob(resourceType: string, restoreRole: 'generated' | string): void {
    const info = resourceTypeInfo(resourceType);
    if (!info) return;
    const first = this.restorableRecoveryPointArns.size === 0;
    this.collect(this.restorableRecoveryPointArns, {
      sid: 'RestoreRecoveryPoints',
      actions: ['backup:StartRestoreJob', 'backup:GetRecoveryPointRestoreMetadata'],
    }, this.recoveryPointsOf(info, 'A recovery point ARN is known only once its backup exists; naming it would make the provider depend on the backup. Restores are limited to this type\'s recovery points in this account and region'));
    if (first) {
      this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ReadRestoreJobs',
        // DescribeRestoreJob does not support resource-level permissions.
        actions: ['backup:DescribeRestoreJob'],
        resources: ['*'],
      }));
    }
    this.grantPassRole(restoreRole);
  }

  /** Lets the handlers delete a table that a restore created (removal policy DESTROY). */
  public grantDeleteRestoredTable(tableName: string): void {
    this.collect(this.restoredTableArns, { sid: 'DeleteRestoredTables', actions: ['dynamodb:DeleteTable'] },
      [Stack.of(this).formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName })]);
  }

  /** Lets the handlers pass a role to AWS Backup: one a job created (by the stack's role path), or one by its ARN. */
  private grantPassRole(role: 'generated' | string): void {
    if (role === 'generated') {
      const { rolePath } = generatedNames(this);
      this.grantPattern(this.passRoleArns, Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${rolePath.slice(1)}*` }),
        'The roles for AWS Backup that this stack\'s jobs create, by their path, passed only to backup.amazonaws.com');
    } else {
      this.passRoleArns.add(role);
    }
  }

  private grantPattern(set: Set<string>, arn: string, reason: string): void {
    if (set.has(arn)) return;
    set.add(arn);
    acknowledgeFindings(this.handlerRole, [{ id: `AwsSolutions-IAM5[Resource::${nagResource(this, arn)}]`, reason }]);
  }

  /** Lets the handlers stop a running job of this type (when AWS Backup can stop it). */
  public grantStopBackupJob(resourceType: string): void {
    if (this.stopGranted || resourceTypeInfo(resourceType)?.stoppable === false) return;
    this.stopGranted = true;
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'StopBackupJobs',
      // StopBackupJob does not support resource-level permissions.
      actions: ['backup:StopBackupJob'],
      resources: ['*'],
    }));
  }

  /** Lets the handlers delete recovery points of this type in this account and region (removal policy DESTROY). */
  public grantDeleteRecoveryPoints(resourceType: string): void {
    const info = resourceTypeInfo(resourceType);
    if (!info) return;
    this.collect(this.recoveryPointArns, { sid: 'DeleteRecoveryPoints', actions: ['backup:DeleteRecoveryPoint'] },
      this.recoveryPointsOf(info, 'A recovery point ARN is known only once the backup exists; deletion is limited to this type\'s recovery points in this account and region (removal policy DESTROY)'));
  }

  /**
   * Adds resources to a statement that collects them as jobs are declared:
   * the statement is added with its first resources, and renders them all.
   */
  private collect(resources: Set<string>, statement: Pick<iam.PolicyStatementProps, 'sid' | 'actions'>, arns: readonly string[]): void {
    if (resources.size === 0) {
      this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({ ...statement, resources: Lazy.list({ produce: () => [...resources] }) }));
    }
    arns.forEach((arn) => resources.add(arn));
  }

  /** A type's recovery-point ARN patterns in this account and region, their wildcard acknowledged with the reason. */
  private recoveryPointsOf(info: ResourceTypeInfo, reason: string): string[] {
    const stack = Stack.of(this);
    acknowledgeFindings(this.handlerRole, info.recoveryPointArnPatterns.map((pattern) => ({ id: `AwsSolutions-IAM5[Resource::${nagArn(pattern)}]`, reason })));
    return info.recoveryPointArnPatterns.map((pattern) => fillArnPattern(pattern, stack.partition, stack.region, stack.account));
  }
}
