import { createHash } from 'crypto';
import { ArnFormat, CustomResource, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import type { JobResourceContract } from '../core/contract';
import type { Grant } from './grants';
import { acknowledgeFindings, Finding, nagResource } from './acknowledge';
import { handlerCode } from './handler-code';
import { stackSingleton } from './stack-singleton';
import { fillArnPattern, ResourceTypeInfo, resourceTypeInfo } from '../core/resource-types';
import { LIMITS } from '../core/validation';

/** How often the waiter asks AWS Backup about a job. */
export const POLL_INTERVAL = Duration.seconds(15);

/**
 * The handlers' Lambda timeout. With the poll interval it fits in the response
 * margin (ServiceTimeout less the job's timeout): the last poll before the
 * deadline, the wait to the next and that whole run still end before
 * CloudFormation stops waiting.
 */
export const HANDLER_TIMEOUT = Duration.seconds(60);

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
  /** The name of the stack's long-wait poller (a state machine). */
  readonly pollerName: string;
}

/** The generated-name patterns of a stack (stable: derived from the stack's name). */
export function generatedNames(scope: Construct): GeneratedNames {
  const stack = Stack.of(scope);
  const identity = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 8);
  return { vaultNamePrefix: `bj-${hash}-`, rolePath: `/cdk-backup-jobs/${hash}/`, pollerName: `cdk-backup-jobs-poller-${hash}` };
}

/** A vault name for a job's own vault: the stack's prefix and a name unique in the stack (at most 50 characters). */
export function generatedVaultName(job: Construct): string {
  const { vaultNamePrefix } = generatedNames(job);
  return vaultNamePrefix + Names.uniqueResourceName(job, { maxLength: 50 - vaultNamePrefix.length, separator: '-' });
}

/** A job's custom resource; its attributes are those its handler answers with (a typo is a compile error). */
export class JobResource<A extends object> extends CustomResource {
  public attribute(name: keyof A & string): string {
    return this.getAttString(name);
  }
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
    return stackSingleton(scope, BackupJobProvider.ID, (stack, id) => new BackupJobProvider(stack, id));
  }

  /** The service token of the custom resources. */
  public readonly serviceToken: string;
  /** The role of the onEvent and isComplete handlers. */
  public readonly handlerRole: iam.IRole;
  /** Where the handlers and the framework log. */
  public readonly logGroup: logs.ILogGroup;
  /** The onEvent handler (the long-wait poller hands it an abandoned job's Delete). */
  public readonly onEventFunction: lambda.IFunction;

  private readonly vaultArns = new Set<string>();
  private readonly passRoleArns = new Set<string>();
  private readonly restorableRecoveryPointArns = new Set<string>();
  private stopGranted = false;
  private pollerGranted = false;
  /** What deletions need, by statement id: rendered in the deletion policy (see `grantForDeletion`). */
  private readonly deletionStatements = new Map<string, Set<string>>();
  private deletionPolicy?: iam.Policy;
  private deletionHash?: { key: string; hash: string };
  private readonly acknowledged = new Set<string>();

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
      sid: 'ReadOwnStack',
      // To tell whether CloudFormation still waits for a request before a job starts, and while it runs.
      actions: ['cloudformation:DescribeStackResource'],
      resources: [stack.stackId],
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
      timeout: HANDLER_TIMEOUT,
      description: 'cdk-backup-jobs: starts a backup job (onEvent)',
    });
    this.onEventFunction = onEvent;
    const isComplete = new lambda.Function(this, 'IsComplete', {
      ...common,
      handler: 'index.isComplete',
      timeout: HANDLER_TIMEOUT,
      description: 'cdk-backup-jobs: describes a backup job until it ends (isComplete)',
    });

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: POLL_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup: this.logGroup,
      // Every state transition of the waiter is logged, never its input or output: the execution
      // input carries CloudFormation's ResponseURL, a presigned URL.
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: this.logGroup, includeExecutionData: false, level: sfn.LogLevel.ALL },
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
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Step Functions log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) supports no resource-level permissions; the waiter logs every transition without execution data, so the presigned ResponseURL in its input is never written',
      },
      { id: 'AwsSolutions-SF2', reason: 'The aws-cdk Provider framework offers no X-Ray tracing for its waiter state machine' },
    ]);
  }

  /**
   * A job's custom resource, served by this provider. CloudFormation's
   * ServiceTimeout is set just past the job's timeout, so that CloudFormation
   * gives up by itself shortly after the handler would have answered; for a
   * timeout that is a token, at CloudFormation's maximum (the handler checks
   * the timeout's value at deploy time).
   */
  /** The custom resource of a job, with the properties and attributes of its contract. */
  public jobResource<P extends object, A extends object>(scope: Construct, contract: JobResourceContract<P, A>, timeoutSeconds: number, properties: P, id = 'Resource'): JobResource<A> {
    return new JobResource<A>(scope, id, {
      serviceToken: this.serviceToken,
      resourceType: contract.resourceType,
      serviceTimeout: Duration.seconds(Token.isUnresolved(timeoutSeconds)
        ? LIMITS.cloudFormationMaxWaitSeconds
        : Math.min(LIMITS.cloudFormationMaxWaitSeconds, timeoutSeconds + LIMITS.responseMarginSeconds)),
      properties: properties as Record<string, unknown>,
    });
  }

  /**
   * Lets the handlers start jobs in a vault with a backup role (and copy into an
   * air-gapped vault). A vault or role the job created itself is granted through
   * the stack's generated-name pattern; one given by the user by its ARN.
   */
  public grantStartBackupJob(vault: Grant, backupRole: Grant, logicallyAirGappedVaultArn?: string): void {
    const stack = Stack.of(this);
    const names = generatedNames(this);
    if (vault.kind === 'stack-pattern') {
      this.grantPattern(this.vaultArns, stack.formatArn({
        service: 'backup', resource: 'backup-vault', resourceName: `${names.vaultNamePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }), 'The vaults that this stack\'s BackupJobs create, by their name prefix; naming each would make the policy grow with every job and depend on every job');
    } else {
      this.vaultArns.add(vault.arn);
    }
    if (logicallyAirGappedVaultArn) this.vaultArns.add(logicallyAirGappedVaultArn);
    this.grantPassRole(backupRole);
  }

  /**
   * Lets the handlers restore recovery points of a type (StartRestoreJob and
   * GetRecoveryPointRestoreMetadata) with a restore role: the recovery point
   * itself when its ARN is known at synth, else the type's recovery points in
   * this account and region (a DynamoDB one narrowed to its table when the
   * table's name is known at synth).
   */
  public grantStartRestoreJob(resourceType: string, restoreRole: Grant, recoveryPoint: { arn: string; sourceResourceName?: string }): void {
    const info = resourceTypeInfo(resourceType);
    if (!info) return;
    const first = this.restorableRecoveryPointArns.size === 0;
    const exact = !Token.isUnresolved(recoveryPoint.arn);
    const sourceName = recoveryPoint.sourceResourceName !== undefined && !Token.isUnresolved(recoveryPoint.sourceResourceName) ? recoveryPoint.sourceResourceName : undefined;
    this.collect(this.restorableRecoveryPointArns, {
      sid: 'RestoreRecoveryPoints',
      actions: ['backup:StartRestoreJob', 'backup:GetRecoveryPointRestoreMetadata'],
    }, exact ? [recoveryPoint.arn] : this.recoveryPointsOf(this.handlerRole, info, sourceName, 'A recovery point that a backup of this deploy makes has no ARN at synth (naming it would make the provider depend on the backup)'));
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

  /**
   * Lets the handlers delete a table that a restore created (removal policy
   * DESTROY), and read the restore's status first: what the restore's Delete
   * needs (see `grantForDeletion`).
   */
  public grantDeleteRestoredTable(dependent: IConstruct, tableName: string): void {
    this.grantForDeletion(dependent, 'ReadRestoreJobsToDelete', ['backup:DescribeRestoreJob', 'backup:ListRestoreJobs'], ['*']);
    this.grantForDeletion(dependent, 'DeleteRestoredTables', ['dynamodb:DeleteTable'],
      [Stack.of(this).formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName })]);
  }

  /** Lets the handlers pass a role to AWS Backup: one a job created (by the stack's role path), or one by its ARN. */
  private grantPassRole(role: Grant): void {
    if (role.kind === 'stack-pattern') {
      const { rolePath } = generatedNames(this);
      this.grantPattern(this.passRoleArns, Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${rolePath.slice(1)}*` }),
        'The roles for AWS Backup that this stack\'s jobs create, by their path, passed only to backup.amazonaws.com');
    } else {
      this.passRoleArns.add(role.arn);
    }
  }

  private grantPattern(set: Set<string>, arn: string, reason: string): void {
    if (set.has(arn)) return;
    set.add(arn);
    acknowledgeFindings(this.handlerRole, [{ id: `AwsSolutions-IAM5[Resource::${nagResource(this, arn)}]`, reason }]);
  }

  /**
   * Lets onEvent start executions of the stack's long-wait poller (once). The
   * poller is named by the stack's pattern (see `generatedNames`), so that this
   * policy does not depend on it: the poller's own role may invoke onEvent.
   */
  public grantStartPoller(): void {
    if (this.pollerGranted) return;
    this.pollerGranted = true;
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'StartPollers',
      actions: ['states:StartExecution'],
      resources: [Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: generatedNames(this).pollerName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
  }

  /**
   * Lets a long-wait job's Delete, a rollback and a failed start stop its
   * poller: the executions of the stack's poller, in the deletion policy (see
   * `grantForDeletion`).
   */
  public grantStopPoller(dependent: IConstruct): void {
    const executions = Stack.of(this).formatArn({
      service: 'states', resource: 'execution', resourceName: `${generatedNames(this).pollerName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.grantForDeletion(dependent, 'StopPollers', ['states:StopExecution'], [executions]);
    this.acknowledgeOnce(this.deletionPolicyOf(), [{
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, executions)}]`,
      reason: 'The executions of this stack\'s own long-wait poller; each is named by its job at deploy time',
    }]);
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

  /**
   * Lets the Delete of a DESTROY job delete its recovery points (and stop the
   * job when AWS Backup can): that type's recovery points in this account and
   * region, a DynamoDB table's own backups named by the table.
   */
  public grantDeleteRecoveryPoints(dependent: IConstruct, resourceType: string, resourceName?: string): void {
    const info = resourceTypeInfo(resourceType);
    if (!info) return;
    if (info.stoppable) this.grantForDeletion(dependent, 'StopBackupJobsToDelete', ['backup:StopBackupJob'], ['*']);
    this.grantForDeletion(dependent, 'DeleteRecoveryPoints', ['backup:DeleteRecoveryPoint'],
      this.recoveryPointsOf(this.deletionPolicyOf(), info, resourceName, 'Deletes only the recovery point of a job of this stack with removal policy DESTROY, named by the job\'s own description'));
  }

  /**
   * What a Delete needs is granted by a policy of its own that the custom
   * resource depends on. Its logical id and name change with its content, so
   * that CloudFormation makes a new one before the resources that need it are
   * created or updated, and deletes the old one only after the resources that
   * depended on it in the previous template: the cleanup of a replaced or
   * removed job, and the rollback of a failed update, still run with the grants
   * they need (the handlers' default policy changes earlier, in the update phase).
   */
  private grantForDeletion(dependent: IConstruct, sid: string, actions: string[], arns: readonly string[]): void {
    const policy = this.deletionPolicyOf();
    if (arns.includes('*')) {
      // An action without resource-level permissions is granted on `*` as such, once.
      if (!this.deletionStatements.has(sid)) {
        this.deletionStatements.set(sid, new Set(['*']));
        policy.addStatements(new iam.PolicyStatement({ sid, actions, resources: ['*'] }));
        this.acknowledgeOnce(policy, [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: `${actions.join(', ')} ${actions.length > 1 ? 'do' : 'does'} not support resource-level permissions` }]);
      }
    } else {
      let resources = this.deletionStatements.get(sid);
      if (!resources) this.deletionStatements.set(sid, resources = new Set());
      this.collect(resources, { sid, actions }, arns, (statement) => policy.addStatements(statement));
    }
    dependent.node.addDependency(policy);
  }

  private deletionPolicyOf(): iam.Policy {
    if (this.deletionPolicy) return this.deletionPolicy;
    const id = Lazy.string({ produce: () => `DeletionGrants${this.deletionContentHash()}` });
    const policy = new iam.Policy(this, 'DeletionGrants', {
      roles: [this.handlerRole],
      policyName: Lazy.string({ produce: () => `cdk-backup-jobs-deletion-${this.deletionContentHash()}` }),
    });
    (policy.node.defaultChild as iam.CfnPolicy).overrideLogicalId(id);
    this.deletionPolicy = policy;
    return policy;
  }

  /** A short hash of the deletion policy's document as rendered (its grants, tokens as CloudFormation sees them). */
  private deletionContentHash(): string {
    const key = [...this.deletionStatements.entries()].map(([sid, r]) => `${sid}:${r.size}`).join(',');
    if (this.deletionHash?.key !== key) {
      const rendered = JSON.stringify(Stack.of(this).resolve(this.deletionPolicy!.document));
      this.deletionHash = { key, hash: createHash('sha256').update(rendered).digest('hex').slice(0, 8).toUpperCase() };
    }
    return this.deletionHash.hash;
  }

  /**
   * Adds resources to a statement that collects them as jobs are declared:
   * the statement is added with its first resources, and renders them all.
   */
  private collect(
    resources: Set<string>,
    statement: Pick<iam.PolicyStatementProps, 'sid' | 'actions'>,
    arns: readonly string[],
    add: (statement: iam.PolicyStatement) => void = (s) => this.handlerRole.addToPrincipalPolicy(s),
  ): void {
    if (resources.size === 0) {
      add(new iam.PolicyStatement({ ...statement, resources: Lazy.list({ produce: () => [...resources] }) }));
    }
    arns.forEach((arn) => resources.add(arn));
  }

  /**
   * A type's recovery-point ARN patterns in this account and region, each
   * wildcard acknowledged on `scope` with what exactly it grants. A DynamoDB
   * backup's ARN names its table: with the table's name, that pattern is
   * narrowed to the table (AWS Backup's own `recovery-point:*` ARNs name no
   * resource and stay account-wide).
   */
  private recoveryPointsOf(scope: IConstruct, info: ResourceTypeInfo, resourceName: string | undefined, why: string): string[] {
    const stack = Stack.of(this);
    const arns = info.recoveryPointArnPatterns.map((pattern) => {
      const narrowed = resourceName !== undefined && pattern.includes(':table/*/backup/*') ? pattern.replace(':table/*/', `:table/${resourceName}/`) : pattern;
      return { pattern: narrowed, arn: fillArnPattern(narrowed, stack.partition, stack.region, stack.account) };
    });
    this.acknowledgeOnce(scope, arns.map(({ pattern, arn }) => ({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, arn)}]`,
      reason: `${why}. This pattern grants ${describePattern(pattern)} in this account and region`,
    })));
    return arns.map((a) => a.arn);
  }

  /** Acknowledges each finding on a scope once, however many jobs ask for it. */
  private acknowledgeOnce(scope: IConstruct, findings: Finding[]): void {
    const fresh = findings.filter((f) => {
      const key = `${scope.node.path} ${f.id}`;
      if (this.acknowledged.has(key)) return false;
      this.acknowledged.add(key);
      return true;
    });
    if (fresh.length > 0) acknowledgeFindings(scope, fresh);
  }
}

/** What a recovery-point ARN pattern covers, in words (for cdk-nag acknowledgements). */
function describePattern(pattern: string): string {
  if (pattern.includes(':recovery-point:*')) return 'every AWS Backup recovery point (recovery-point:*) of any type';
  const table = /:table\/([^/]+)\/backup\/\*$/.exec(pattern)?.[1];
  if (table !== undefined) return table === '*' ? 'every DynamoDB table backup' : 'the DynamoDB backups of this one table';
  if (pattern.includes(':snapshot/*')) return 'every EBS snapshot';
  if (pattern.includes(':image/*')) return 'every AMI';
  if (pattern.includes(':cluster-snapshot:awsbackup:*')) return 'every RDS cluster snapshot that AWS Backup made';
  if (pattern.includes(':snapshot:awsbackup:*')) return 'every RDS snapshot that AWS Backup made';
  if (pattern.includes(':fsx:')) return 'every FSx backup';
  if (pattern.includes(':redshift:')) return 'every Redshift snapshot that AWS Backup made';
  return `every resource matching ${pattern}`;
}
