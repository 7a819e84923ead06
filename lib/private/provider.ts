/**
 * The custom resource provider of the jobs of one stack: one per stack, shared
 * by every job in it (of every kind), so that the number of Lambda functions
 * does not grow with the number of jobs.
 *
 * onEvent starts a job; the framework's waiter calls isComplete every poll
 * interval until the job ends. A kind grants what its jobs need through the
 * primitives here (lib/private/<kind>-grants.ts): statements that collect
 * every job's resources (the policy stays small with hundreds of jobs), and
 * grants for deletions in a policy of their own.
 */
import { ArnFormat, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { handlerOf } from '../core/entry-points';
import type { JobResourceContract } from '../core/properties';
import { CLOUDFORMATION_MAX_WAIT_SECONDS, HANDLER_TIMEOUT_SECONDS, POLL_INTERVAL_SECONDS, serviceTimeoutSeconds } from '../core/timing';
import { acknowledgeFindings, acknowledgeOnce, nagResource } from './acknowledge';
import { DeletionGrants } from './deletion-policy';
import type { Grant, RoleUse } from './grants';
import { handlerCode } from './handler-code';
import { generatedNames, rolePatternFor } from './names';
import { stackSingleton } from './stack-singleton';
import { collectInto } from './statements';
import { Token } from 'aws-cdk-lib';


const PLURAL: Record<RoleUse, string> = { backup: 'backups', restore: 'restores', copy: 'copies', scan: 'scans', scanner: 'scans (GuardDuty\'s role)' };
/** A job's custom resource; its attributes are those its handler answers with (a typo is a compile error). */
export class JobResource<A extends object> extends CustomResource {
  public attribute(name: keyof A & string): string {
    return this.getAttString(name);
  }
}

export class JobProvider extends Construct {
  /**
   * The construct id of the provider, directly under the stack. It keeps the
   * name it had when the provider served backups only: the logical ids of
   * deployed stacks must not change.
   */
  public static readonly ID = 'cdk-backup-jobs.BackupJobProvider';

  /** The stack's provider, created with the stack's first job. */
  public static getOrCreate(scope: Construct): JobProvider {
    return stackSingleton(scope, JobProvider.ID, (stack, id) => new JobProvider(stack, id));
  }

  /** The service token of the custom resources. */
  public readonly serviceToken: string;
  /** The role of the onEvent and isComplete handlers (and of the long wait's attempt function). */
  public readonly handlerRole: iam.IRole;
  /** Where the handlers log (one month; never the ResponseURL). */
  public readonly logGroup: logs.ILogGroup;
  /** The Provider framework's functions and waiter log here (one day: the ResponseURL reaches it). */
  public readonly frameworkLogGroup: logs.ILogGroup;
  /** The onEvent handler (the long-wait poller hands it an abandoned job's Delete). */
  public readonly onEventFunction: lambda.IFunction;

  private readonly collected = new Map<string, Set<string>>();
  private readonly deletions: DeletionGrants;
  /** What removal guards need, in a policy only they depend on (it names the resources they guard). */
  private readonly guards: DeletionGrants;
  private pollerGranted = false;

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
    this.deletions = new DeletionGrants(this, role);
    this.guards = new DeletionGrants(this, role, 'RemovalGuardGrants', 'cdk-backup-jobs-removal');

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadBackupJobs',
      // The backup kind's reads, here since the provider's first release (where they stand in deployed
      // policies). Neither action supports resource-level permissions.
      actions: ['backup:ListBackupJobs', 'backup:DescribeBackupJob'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadOwnStack',
      // To tell whether CloudFormation still waits for a request before a job starts, and while it runs;
      // and whether the stack rolls back (a rollback starts no job).
      actions: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'],
      resources: [stack.stackId],
    }));

    const common = {
      code: handlerCode('jobs'),
      runtime: lambda.Runtime.NODEJS_24_X,
      memorySize: 256,
      role,
      logGroup: this.logGroup,
      timeout: Duration.seconds(HANDLER_TIMEOUT_SECONDS),
    };
    const onEvent = new lambda.Function(this, 'OnEvent', {
      ...common,
      handler: handlerOf('onEvent'),
      description: 'cdk-backup-jobs: starts a backup job (onEvent)',
    });
    this.onEventFunction = onEvent;
    const isComplete = new lambda.Function(this, 'IsComplete', {
      ...common,
      handler: handlerOf('isComplete'),
      description: 'cdk-backup-jobs: describes a backup job until it ends (isComplete)',
    });

    // The Provider framework's own log group, apart from the handlers': its isComplete function throws
    // its request (CloudFormation's ResponseURL, a presigned URL, in it) at every poll that is not the
    // last, which the Lambda runtime logs. Kept one day only: read access to it is access to that URL
    // while the request waits (README, "Security").
    this.frameworkLogGroup = new logs.LogGroup(this, 'FrameworkLogs', { retention: logs.RetentionDays.ONE_DAY });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(POLL_INTERVAL_SECONDS),
      totalTimeout: Duration.seconds(CLOUDFORMATION_MAX_WAIT_SECONDS),
      logGroup: this.frameworkLogGroup,
      // Every state transition of the waiter is logged, never its input or output: the execution
      // input carries the ResponseURL.
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: this.frameworkLogGroup, includeExecutionData: false, level: sfn.LogLevel.ALL },
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
   * The custom resource of a job, with the properties and attributes of its
   * contract. CloudFormation's ServiceTimeout is set just past the job's
   * timeout (timing.ts).
   */
  public jobResource<P extends object, A extends object>(scope: Construct, contract: JobResourceContract<P, A>, timeoutSeconds: number, properties: P, id = 'Resource'): JobResource<A> {
    return new JobResource<A>(scope, id, {
      serviceToken: this.serviceToken,
      resourceType: contract.resourceType,
      serviceTimeout: Duration.seconds(serviceTimeoutSeconds(Token.isUnresolved(timeoutSeconds) ? undefined : timeoutSeconds)),
      properties: properties as Record<string, unknown>,
    });
  }

  /**
   * Lets the handlers do `actions` on `arns`, in one statement (by its sid)
   * that collects the resources of every job that asks.
   */
  public grant(statement: Pick<iam.PolicyStatementProps, 'sid' | 'actions' | 'conditions'>, arns: readonly string[]): void {
    let resources = this.collected.get(statement.sid!);
    if (!resources) this.collected.set(statement.sid!, resources = new Set());
    collectInto(resources, statement, arns, (s) => this.handlerRole.addToPrincipalPolicy(s));
  }

  /** Lets the handlers do `actions` on `*` (actions without resource-level permissions), once. */
  public grantOnAnything(sid: string, actions: string[]): void {
    if (this.collected.has(sid)) return;
    this.collected.set(sid, new Set(['*']));
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions, resources: ['*'] }));
  }

  /** A grant by a stack's name pattern (a wildcard), acknowledged for cdk-nag with `reason`, once. */
  public grantPattern(statement: Pick<iam.PolicyStatementProps, 'sid' | 'actions' | 'conditions'>, arn: string, reason: string): void {
    this.grant(statement, [arn]);
    acknowledgeOnce(this.handlerRole, [{ id: `AwsSolutions-IAM5[Resource::${nagResource(this, arn)}]`, reason }]);
  }

  /**
   * Lets the handlers pass a role to AWS Backup for a use (backups, restores,
   * copies), in a statement of that use's: one a job created, by the stack's
   * role path for the use it was created for; any other by its ARN.
   */
  public grantPassRole(role: Grant, use: RoleUse, passedTo: readonly string[] = ['backup.amazonaws.com']): void {
    const statement = (of: RoleUse) => ({
      sid: `Pass${of[0].toUpperCase()}${of.slice(1)}Roles`,
      actions: ['iam:PassRole'],
      conditions: { StringEquals: { 'iam:PassedToService': passedTo.length === 1 ? passedTo[0] : [...passedTo] } },
    });
    if (role.kind === 'arn') {
      this.grant(statement(use), [role.arn]);
      return;
    }
    const created = role.use ?? use;
    this.grantPattern(statement(created), rolePatternFor(this, created),
      `The roles this stack's constructs create for AWS Backup's ${PLURAL[created]}, by their path, passed only to ${passedTo.join(' or ')}`);
  }

  /**
   * Lets a job's Delete (and a rollback, and a cleanup) do `actions` on `arns`:
   * in the deletion policy, which `dependent` depends on (deletion-policy.ts).
   */
  public grantForDeletion(dependent: IConstruct, sid: string, actions: string[], arns: readonly string[], conditions?: iam.PolicyStatementProps['conditions']): void {
    this.deletions.grant(dependent, sid, actions, arns, conditions);
  }

  /**
   * Lets a removal guard's requests do `actions` on `arns`: in the guards'
   * policy, which `guard` depends on. Like the deletion policy, it changes its
   * logical id with its content, so that a guard removed from the template
   * still has its grants when CloudFormation deletes it in the cleanup phase.
   * Only guards depend on it: the resources it names (the guarded ones) may
   * depend on any job without a cycle.
   */
  public grantForGuard(guard: IConstruct, statement: Pick<iam.PolicyStatementProps, 'sid' | 'actions' | 'conditions'>, arns: readonly string[]): void {
    this.guards.grant(guard, statement.sid!, statement.actions!, arns, statement.conditions);
  }

  /** The guards' policy (for acknowledgements of what it grants). */
  public get guardPolicy(): iam.Policy {
    return this.guards.policyOf();
  }

  /** The deletion policy (for acknowledgements of what it grants). */
  public get deletionPolicy(): iam.Policy {
    return this.deletions.policyOf();
  }

  /**
   * Lets onEvent start executions of the stack's long-wait poller (once). The
   * poller is named by the stack's pattern (names.ts), so that this policy does
   * not depend on it: the poller's own role may invoke onEvent.
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
   * poller: the executions of the stack's poller, in the deletion policy.
   */
  public grantStopPoller(dependent: IConstruct): void {
    const executions = Stack.of(this).formatArn({
      service: 'states', resource: 'execution', resourceName: `${generatedNames(this).pollerName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // Described first: a Delete leaves a poller that watches a job AWS Backup cannot stop to its end running, and
    // keeps what a job made when only the poller's signal was lost (lambda/jobs/long-wait-delete.ts).
    this.grantForDeletion(dependent, 'StopPollers', ['states:DescribeExecution', 'states:StopExecution'], [executions]);
    acknowledgeOnce(this.deletionPolicy, [{
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, executions)}]`,
      reason: 'The executions of this stack\'s own long-wait poller; each is named by its job at deploy time',
    }]);
  }
}
