/**
 * The long-wait path's poller of one stack: the state machine of
 * lib/core/long-wait.ts and the function that signals a job's end to its
 * WaitConditionHandle. One per stack, shared by every long-wait job in it.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { handlerOf } from '../core/entry-points';
import type { PollerKind } from '../core/long-wait';
import { longWaitDefinition } from '../core/long-wait-kinds';
import { HANDLER_TIMEOUT_SECONDS, SIGNAL_TIMEOUT_SECONDS } from '../core/timing';
import { acknowledgeFindings, nagResource } from './acknowledge';
import { handlerCode } from './handler-code';
import { generatedNames } from './names';
import type { JobProvider } from './provider';
import { stackSingleton } from './stack-singleton';

export class LongWaitPoller extends Construct {
  /** The construct id of the poller, directly under the stack. */
  public static readonly ID = 'cdk-backup-jobs.LongWaitPoller';

  /** The stack's poller, created with the stack's first long-wait job. */
  public static getOrCreate(scope: Construct, provider: JobProvider): LongWaitPoller {
    return stackSingleton(scope, LongWaitPoller.ID, (stack, id) => new LongWaitPoller(stack, id, provider));
  }

  public readonly stateMachine: sfn.StateMachine;
  public readonly signalFunction: lambda.Function;
  /** Decides (and starts) a backup's next attempt on a busy resource: it runs as the provider's handlers, with their grants. */
  public readonly attemptFunction: lambda.Function;
  private readonly describe: iam.PolicyStatement;
  private readonly role: iam.IRole;
  private cleanUpGranted = false;
  private readonly described = new Set<string>();

  private constructor(scope: Construct, id: string, provider: JobProvider) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });

    // The signal is a PUT to the handle's presigned URL, which the function reads from CloudFormation
    // (the handle's physical id) when it signals: the URL is in no input, no property and no log.
    const signalRole = new iam.Role(this, 'SignalRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-backup-jobs: signals the end of a long backup job to its WaitCondition',
    });
    logGroup.grantWrite(signalRole);
    signalRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadHandles',
      actions: ['cloudformation:DescribeStackResource'],
      resources: [Stack.of(this).stackId],
    }));
    this.signalFunction = new lambda.Function(this, 'Signal', {
      code: handlerCode('jobs'),
      handler: handlerOf('signal'),
      runtime: lambda.Runtime.NODEJS_24_X,
      memorySize: 128,
      timeout: Duration.seconds(SIGNAL_TIMEOUT_SECONDS),
      role: signalRole,
      logGroup,
      description: 'cdk-backup-jobs: signals the end of a long backup job to its WaitCondition',
    });

    this.attemptFunction = new lambda.Function(this, 'Attempt', {
      code: handlerCode('jobs'),
      handler: handlerOf('attempt'),
      runtime: lambda.Runtime.NODEJS_24_X,
      memorySize: 256,
      timeout: Duration.seconds(HANDLER_TIMEOUT_SECONDS),
      role: provider.handlerRole,
      logGroup: provider.logGroup,
      description: 'cdk-backup-jobs: takes the next attempt of a long backup on a busy resource',
    });

    const role = new iam.Role(this, 'StateMachineRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'cdk-backup-jobs: polls long backup jobs',
    });
    // DescribeBackupJob and DescribeRestoreJob do not support resource-level permissions; each is
    // granted once a job of its kind waits through the poller (grantDescribe).
    this.describe = new iam.PolicyStatement({ sid: 'DescribeJobs', resources: ['*'] });
    role.addToPrincipalPolicy(this.describe);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadHandles',
      // Whether a job's handle is still there (else no one waits for the job).
      actions: ['cloudformation:DescribeStackResource'],
      resources: [Stack.of(this).stackId],
    }));
    this.role = role;
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromString(Stack.of(this).toJsonString(longWaitDefinition({
        signal: this.signalFunction.functionArn,
        attempt: this.attemptFunction.functionArn,
      }))),
      role,
      // Every transition is logged; the job descriptions (their messages, their ARNs) are not.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      comment: 'cdk-backup-jobs: waits for long backup jobs and signals their end',
      // Named by the stack's pattern: the handlers' grants name it without depending on it.
      stateMachineName: generatedNames(this).pollerName,
    });
    this.signalFunction.grantInvoke(role);
    this.attemptFunction.grantInvoke(role);

    acknowledgeFindings(role, [
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'backup:DescribeBackupJob and backup:DescribeRestoreJob have no resource-level permissions; Step Functions log delivery and X-Ray have none either' },
      { id: `AwsSolutions-IAM5[Resource::${nagResource(this, this.signalFunction.functionArn)}:*]`, reason: 'Invoking the signal function by any of its versions (what grantInvoke grants); it is this poller\'s own function' },
      { id: `AwsSolutions-IAM5[Resource::${nagResource(this, this.attemptFunction.functionArn)}:*]`, reason: 'Invoking the attempt function by any of its versions (what grantInvoke grants); it is this poller\'s own function' },
    ]);
  }

  /**
   * Lets the machine hand a job whose handle is gone to the provider's onEvent
   * function (the job resource's Delete cleans up after it).
   */
  public grantCleanUp(onEvent: lambda.IFunction): void {
    if (this.cleanUpGranted) return;
    this.cleanUpGranted = true;
    onEvent.grantInvoke(this.role);
    acknowledgeFindings(this.role, [{
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, onEvent.functionArn)}:*]`,
      reason: 'Invoking the provider\'s onEvent function by any of its versions (what grantInvoke grants), to hand it an abandoned job\'s Delete',
    }]);
  }

  /** Lets the machine describe jobs of a kind (the first job of that kind that waits through it). */
  public grantDescribe(kind: PollerKind): void {
    if (this.described.has(kind.name)) return;
    this.described.add(kind.name);
    this.describe.addActions(`backup:${kind.describe}`);
  }
}
