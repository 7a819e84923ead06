/**
 * The long-wait poller (lib/core/long-wait.ts): its schedule, its definition
 * (checked by asl-validator) and its executions, run by aws-local-stepfunctions
 * with DescribeBackupJob answered by the AWS Backup stand-in on a simulated
 * clock, so that an 8-hour backup takes a moment.
 */
import { App, CfnParameter, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { LONG_WAIT_MAX_SECONDS, pollSchedule } from '../lib/core/timing';
import { ABANDONED_POLL_SECONDS, pollerInput, pollerStates } from '../lib/core/long-wait';
import { LONG_WAIT_KINDS, longWaitDefinition } from '../lib/core/long-wait-kinds';
import { BackupJob, BackupJobProps, ProtectedResource, RecoveryPoint, RestoreJob } from '../lib';
import { LongWaitPoller } from '../lib/private/long-wait-poller';
import { JobProvider } from '../lib/private/provider';
import { BackupService } from '../local/stand-in/backup-service';
import type { JobScenario } from '../local/stand-in/backup-job-states';

import { Interpreter as StateMachine } from '../local/simulation/asl-interpreter';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders';
const SIGNAL_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:signal';
const ATTEMPT_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:attempt';
const FUNCTIONS = { signal: SIGNAL_ARN, attempt: ATTEMPT_ARN };
const HOUR = 3600;
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Long/1';
const STATES = pollerStates(LONG_WAIT_KINDS.backup);

describe('the schedule', () => {
  test('waits exactly the timeout, 15 s apart for five minutes, then a twentieth of the age, at most ten minutes', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: LONG_WAIT_MAX_SECONDS }), (timeout) => {
      const waits = pollSchedule(timeout);
      expect(waits.reduce((a, b) => a + b, 0)).toBe(timeout);
      let waited = 0;
      for (const [i, wait] of waits.entries()) {
        const last = i === waits.length - 1;
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThanOrEqual(600);
        if (!last) expect(wait).toBe(waited < 300 ? 15 : Math.min(600, Math.max(15, Math.round(waited / 20))));
        waited += wait;
      }
    }));
  });

  test('a job is seen at most max(15 s, 5% of its age + 1 s), and at most ten minutes, after it ends', () => {
    const polls: number[] = [];
    let t = 0;
    for (const wait of pollSchedule(LONG_WAIT_MAX_SECONDS)) polls.push((t += wait));
    fc.assert(fc.property(fc.integer({ min: 1, max: LONG_WAIT_MAX_SECONDS }), (end) => {
      const seen = polls.find((p) => p >= end)!;
      expect(seen - end).toBeLessThanOrEqual(Math.min(600, Math.max(15, Math.ceil(end / 20) + 1)));
    }));
  });

  test.each([[1, 71], [8, 124], [12, 148]])('a %i-hour wait takes %i polls at most (the short path: one every 15 s)', (hours, most) => {
    expect(pollSchedule(hours * HOUR).length).toBeLessThanOrEqual(most);
  });
});

test('the definition is valid Amazon States Language, one loop per kind of job', () => {
  const states = (longWaitDefinition(FUNCTIONS) as any).States;
  expect(states[pollerStates(LONG_WAIT_KINDS.backup).describe].Resource).toBe('arn:aws:states:::aws-sdk:backup:describeBackupJob');
  expect(states[pollerStates(LONG_WAIT_KINDS.restore).describe]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:backup:describeRestoreJob', Parameters: { 'RestoreJobId.$': '$.JobId' } });
  const { isValid, errors } = aslValidator(longWaitDefinition(FUNCTIONS) as never);
  expect(errors).toEqual([]);
  expect(isValid).toBe(true);
});

/** What the signal function is invoked with: its Parameters, the Lambda payload. */
function signalled(parameters: any): { Outcome: string; Job: Record<string, unknown> } {
  expect(parameters.FunctionName).toBe(SIGNAL_ARN);
  // Where to signal, by name: the handle's presigned URL is in no input.
  expect(parameters.Payload).toMatchObject({ Kind: 'backup', StackId: STACK_ID, HandleLogicalId: 'SnapshotWaitHandle', JobId: expect.any(String) });
  expect(JSON.stringify(parameters)).not.toMatch(/https?:/);
  return parameters.Payload;
}

describe('executions, with the stand-in on a simulated clock', () => {
  interface Run {
    readonly signals: { Outcome: string; Job: Record<string, unknown> }[];
    readonly polls: number;
    readonly endedAt: number;
    readonly jobEnd?: number;
  }

  /**
   * What the attempt function answers (the function itself is tested with its handler): by default, that
   * the end was not another job's doing.
   */
  type AttemptTask = (state: any, service: BackupService) => Record<string, unknown>;
  const notBusy: AttemptTask = (state) => ({ ...state, Attempts: { ...state.Attempts, Outcome: 'failed' } });

  async function poll(scenario: JobScenario, timeoutSeconds: number, options: { allowPartial?: boolean; failDescribe?: boolean; handleGoneAfterPolls?: number; attempt?: AttemptTask; heldBy?: string[]; waitsForEnd?: boolean; signalGone?: boolean } = {}): Promise<Run & { attempts: number; service: BackupService }> {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const service = new BackupService({ clock: { now: () => now }, anyVault: true });
    const { BackupJobId } = service.backups.StartBackupJob({
      BackupVaultName: 'pre-migration', ResourceArn: TABLE, IamRoleArn: 'arn:aws:iam::123456789012:role/backup',
    }) as { BackupJobId: string };
    service.backups.onJob(BackupJobId, scenario);
    const signals: Run['signals'] = [];
    let polls = 0;
    const cleanUp = { FunctionName: 'onEvent', Event: { RequestType: 'Delete', PhysicalResourceId: `backup-job/${BackupJobId}` } };
    const attempts = {
      FirstJobId: BackupJobId, Request: { StackId: STACK_ID, LogicalResourceId: 'Snapshot', RequestId: 'r-1' }, Start: {}, ResourceType: 'DynamoDB',
      ConditionLogicalId: 'SnapshotWaitCondition', TimeoutSeconds: timeoutSeconds, HeldBy: options.heldBy ?? [], Queued: (options.heldBy ?? []).length > 0,
    };
    const input = pollerInput({
      kind: 'backup', jobId: BackupJobId, stackId: STACK_ID, handleLogicalId: 'SnapshotWaitHandle', allowPartial: options.allowPartial ?? false, timeoutSeconds, cleanUp, attempts,
      waitsForEnd: options.waitsForEnd,
    });
    let abandonedPolls = 0;
    let attemptCalls = 0;
    let current = BackupJobId;
    const machine = new StateMachine(longWaitDefinition(FUNCTIONS) as never, { validationOptions: { checkArn: false } });
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: {
          [STATES.describe]: (parameters: any) => {
            // A local task gets its Parameters: the waits before this poll (the schedule's, as the Wait
            // states' inputs show below) pass on the simulated clock.
            expect(parameters).toEqual({ BackupJobId: current });
            if (options.failDescribe) {
              polls += 1;
              throw Object.assign(new Error('Backup.ResourceNotFoundException'), { name: 'Backup.ResourceNotFoundException' });
            }
            // Once the handle is gone (WaitsForEnd), the poller waits its abandoned job's fixed interval.
            if (options.waitsForEnd && ((options.handleGoneAfterPolls !== undefined && polls > options.handleGoneAfterPolls) || polls > input.Polls)) {
              now += ABANDONED_POLL_SECONDS * 1000;
              abandonedPolls += 1;
            } else if (polls > 0) now += input.Schedule[polls - 1] * 1000;
            polls += 1;
            return JSON.parse(JSON.stringify(service.backups.DescribeBackupJob({ BackupJobId: current })));
          },
          [STATES.attempt]: (parameters: any) => {
            // The whole state goes to the attempt function, which answers with it.
            expect(parameters.FunctionName).toBe(ATTEMPT_ARN);
            expect(parameters.Payload).toMatchObject({ JobId: current, Attempts: { FirstJobId: BackupJobId } });
            attemptCalls += 1;
            const next = (options.attempt ?? notBusy)(parameters.Payload, service) as any;
            current = next.JobId;
            return { StatusCode: 200, Payload: next };
          },
          [STATES.handle]: (parameters: any) => {
            expect(parameters).toEqual({ StackName: STACK_ID, LogicalResourceId: 'SnapshotWaitHandle' });
            if (options.handleGoneAfterPolls !== undefined && polls > options.handleGoneAfterPolls) {
              throw Object.assign(new Error('Resource SnapshotWaitHandle does not exist for stack Long'), { name: 'CloudFormation.CloudFormationException' });
            }
            return { StackResourceDetail: { ResourceStatus: 'CREATE_COMPLETE' } };
          },
          [STATES.abandoned]: (parameters: any) => {
            // The job resource's Delete, handed to the provider's onEvent function.
            expect(parameters).toEqual({ FunctionName: 'onEvent', Payload: cleanUp.Event });
            signals.push({ Outcome: 'ABANDONED', Job: { at: now } });
            return {};
          },
          // The signal function answers whether the handle was gone.
          [STATES.completed]: (parameters: any) => { signals.push(signalled(parameters)); return { StatusCode: 200, Payload: { Gone: !!options.signalGone } }; },
          [STATES.failed]: (parameters: any) => { signals.push(signalled(parameters)); return { StatusCode: 200, Payload: { Gone: !!options.signalGone } }; },
          [STATES.timedOut]: (parameters: any) => { signals.push(signalled(parameters)); return { StatusCode: 200, Payload: { Gone: !!options.signalGone } }; },
        },
        waitTimeOverrides: { [STATES.wait]: 0, [STATES.abandonedWait]: 0 },
        retryIntervalOverrides: { [STATES.describe]: 0, [STATES.handle]: 0 },
      },
    });
    const waits: number[] = [];
    const events = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered' && (event as any).state.name === STATES.wait) waits.push((event as any).state.input.Counter.Seconds);
      }
    })();
    await execution.result;
    await events;
    // The Wait states waited the job's schedule, one wait between two polls.
    expect(waits).toEqual(input.Schedule.slice(0, options.failDescribe ? 0 : polls - 1 - abandonedPolls));
    return { signals, polls, endedAt: now, jobEnd: service.backups.jobView(current).completedAt, attempts: attemptCalls, service };
  }

  test('an 8-hour backup: COMPLETED is signalled with the job, within 5% of its age after it ended, in 126 polls at most (the short path: 1,921)', async () => {
    const run = await poll({ durationSeconds: 8 * HOUR }, 12 * HOUR);
    expect(run.signals.map((s) => s.Outcome)).toEqual(['COMPLETED']);
    expect(run.signals[0].Job).toMatchObject({ State: 'COMPLETED', ResourceArn: TABLE });
    expect(run.polls).toBeLessThanOrEqual(126);
    expect(run.endedAt - run.jobEnd!).toBeLessThanOrEqual(0.05 * 8 * HOUR * 1000 + 1000);
  });

  test('a 10-minute backup ends within 31 s of the job', async () => {
    const run = await poll({ durationSeconds: 600 }, 2 * HOUR);
    expect(run.signals.map((s) => s.Outcome)).toEqual(['COMPLETED']);
    expect(run.endedAt - run.jobEnd!).toBeLessThanOrEqual(31_000);
  });

  test.each(['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'] as const)('%s is signalled as a failure with AWS Backup\'s status message (FAILED, ABORTED and EXPIRED after the attempt function said it was not another job\'s doing)', async (outcome) => {
    const run = await poll({ outcome, statusMessage: `ended ${outcome}`, durationSeconds: 2 * HOUR }, 12 * HOUR);
    expect(run.signals.map((s) => s.Outcome)).toEqual(['FAILED']);
    expect(run.signals[0].Job).toMatchObject({ State: outcome === 'EXPIRED' ? expect.any(String) : outcome });
    expect(run.attempts).toBe(outcome === 'PARTIAL' ? 0 : 1);
  });

  test('a busy end: the attempt function holds the next attempt while another job holds the resource, then starts it; the poller follows it to COMPLETED', async () => {
    let holderEnds = 0;
    const run = await poll({ outcome: 'EXPIRED', statusMessage: 'Backup job expired because another backup job for the same resource was already in progress.', durationSeconds: 60 }, 12 * HOUR, {
      attempt: (state, service) => {
        if (holderEnds++ < 3) return { ...state, Job: { ...state.Job, Holders: ['PLAN-JOB'] }, Attempts: { ...state.Attempts, Outcome: 'poll', Holders: ['PLAN-JOB'] } };
        const { BackupJobId: next } = service.backups.StartBackupJob({ BackupVaultName: 'pre-migration', ResourceArn: TABLE, IamRoleArn: 'arn:aws:iam::123456789012:role/backup' }) as { BackupJobId: string };
        return { ...state, JobId: next, Attempts: { ...state.Attempts, Outcome: 'poll', Holders: [] } };
      },
    });
    expect(run.attempts).toBe(4);
    expect(run.signals.map((s) => s.Outcome)).toEqual(['COMPLETED']);
    expect(run.signals[0]).toMatchObject({ JobId: expect.not.stringMatching(run.service.backups.jobIds()[0]), Job: { State: 'COMPLETED' } });
  });

  test('a busy end that outlasts the timeout is signalled TIMED_OUT, naming the jobs that still held the resource', async () => {
    const run = await poll({ outcome: 'FAILED', statusMessage: 'Backup job failed because there was a running job for the same resource.', durationSeconds: 60 }, 2 * HOUR, {
      attempt: (state) => ({ ...state, Job: { ...state.Job, Holders: ['PLAN-JOB'] }, Attempts: { ...state.Attempts, Outcome: 'poll', Holders: ['PLAN-JOB'] } }),
    });
    expect(run.signals.map((s) => s.Outcome)).toEqual(['TIMED_OUT']);
    expect(run.signals[0]).toMatchObject({ Attempts: { Holders: ['PLAN-JOB'] } });
  });

  test('a first attempt queued behind other jobs asks the attempt function at each poll while it is CREATED; a replacement that already completed is judged at once', async () => {
    const run = await poll({ startDelaySeconds: 3600, durationSeconds: 60 }, 12 * HOUR, {
      heldBy: ['PLAN-JOB'],
      attempt: (state, service) => {
        if (state.Counter.Poll < 5) return { ...state, Attempts: { ...state.Attempts, Outcome: 'poll' } };
        const { BackupJobId: next } = service.backups.StartBackupJob({ BackupVaultName: 'pre-migration', ResourceArn: TABLE, IamRoleArn: 'arn:aws:iam::123456789012:role/backup' }) as { BackupJobId: string };
        service.backups.onJob(next, { startDelaySeconds: 0, pendingSeconds: 0, durationSeconds: 0 });
        service.backups.StopBackupJob({ BackupJobId: state.Attempts.FirstJobId });
        return { ...state, JobId: next, Job: JSON.parse(JSON.stringify(service.backups.DescribeBackupJob({ BackupJobId: next }))), Attempts: { ...state.Attempts, Queued: false, Outcome: 'check' } };
      },
    });
    expect(run.attempts).toBe(6);
    expect(run.signals.map((s) => s.Outcome)).toEqual(['COMPLETED']);
    expect(run.polls).toBe(6);
  });

  test('PARTIAL with allowPartial completes', async () => {
    const run = await poll({ outcome: 'PARTIAL', durationSeconds: HOUR }, 12 * HOUR, { allowPartial: true });
    expect(run.signals.map((s) => s.Outcome)).toEqual(['COMPLETED']);
  });

  test('a job that outlasts the timeout is signalled TIMED_OUT when the timeout has been waited, not later', async () => {
    const start = Date.parse('2026-12-01T00:00:00Z');
    const run = await poll({ durationSeconds: 10 * HOUR }, 2 * HOUR);
    expect(run.signals.map((s) => s.Outcome)).toEqual(['TIMED_OUT']);
    expect(run.signals[0].Job).toMatchObject({ State: 'RUNNING' });
    expect(run.endedAt - start).toBe(2 * HOUR * 1000);
  });

  test('a job whose handle is gone (its request abandoned, its rollback done) is handed to the job resource\'s Delete, and nothing is signalled', async () => {
    const run = await poll({ durationSeconds: 10 * HOUR }, 12 * HOUR, { handleGoneAfterPolls: 30 });
    expect(run.signals.map((s) => s.Outcome)).toEqual(['ABANDONED']);
    expect(run.polls).toBe(31);
  });

  test('WaitsForEnd (DESTROY of a job AWS Backup cannot stop): a job whose handle is gone is watched to its end, every 10 minutes, then handed to its Delete', async () => {
    const run = await poll({ durationSeconds: 10 * HOUR }, 12 * HOUR, { handleGoneAfterPolls: 30, waitsForEnd: true });
    expect(run.signals.map((s) => s.Outcome)).toEqual(['ABANDONED']);
    const handedAt = run.signals[0].Job.at as number;
    expect(handedAt).toBeGreaterThanOrEqual(run.jobEnd!);
    expect(handedAt - run.jobEnd!).toBeLessThanOrEqual(ABANDONED_POLL_SECONDS * 1000);
  });

  test('WaitsForEnd: a job that outlasts the timeout is signalled TIMED_OUT, then watched to its end and handed to its Delete', async () => {
    const run = await poll({ durationSeconds: 3 * HOUR }, 2 * HOUR, { waitsForEnd: true, handleGoneAfterPolls: 1_000 });
    expect(run.signals.map((s) => s.Outcome)).toEqual(['TIMED_OUT', 'ABANDONED']);
    expect(run.signals[1].Job.at as number).toBeGreaterThanOrEqual(run.jobEnd!);
  });

  test('a signal that finds the handle gone (the stack moved on as the job ended) hands the job to its Delete', async () => {
    const run = await poll({ durationSeconds: HOUR }, 12 * HOUR, { signalGone: true });
    expect(run.signals.map((s) => s.Outcome)).toEqual(['COMPLETED', 'ABANDONED']);
  });

  test('the signal is retried for longer than the longest WaitCondition waits, every 5 minutes at the longest', () => {
    const retry = (longWaitDefinition(FUNCTIONS) as any).States[STATES.completed].Retry[0];
    let waited = 0;
    for (let attempt = 1; attempt <= retry.MaxAttempts; attempt++) waited += Math.min(retry.IntervalSeconds * retry.BackoffRate ** (attempt - 1), retry.MaxDelaySeconds);
    expect(retry.MaxDelaySeconds).toBe(300);
    expect(waited).toBeGreaterThan(12 * HOUR);
  });

  test('a job AWS Backup cannot describe (after the retries) is signalled as a failure saying so', async () => {
    const run = await poll({ durationSeconds: HOUR }, 12 * HOUR, { failDescribe: true });
    expect(run.signals.map((s) => s.Outcome)).toEqual(['FAILED']);
    expect(run.signals[0].Job).toMatchObject({ State: 'UNKNOWN', StatusMessage: expect.stringMatching(/^DescribeBackupJob failed: /) });
    expect(run.polls).toBe(7);
  });
});

describe('the poller construct (one per stack)', () => {
  function pollerStack() {
    const app = new App();
    const stack = new Stack(app, 'Long', { env: { account: '123456789012', region: 'us-east-1' } });
    const provider = JobProvider.getOrCreate(stack);
    const first = LongWaitPoller.getOrCreate(stack, provider);
    first.grantDescribe(LONG_WAIT_KINDS.backup);
    expect(LongWaitPoller.getOrCreate(new Construct(stack, 'Elsewhere'), provider)).toBe(first);
    return { app, stack };
  }

  test('its state machine runs the core definition, logs without execution data (the handle URL) and traces; its signal and attempt functions run nodejs24.x', () => {
    const { stack } = pollerStack();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const machineId = Object.keys(machines).find((id) => id.includes('LongWaitPoller'))!;
    expect(machines[machineId].Properties).toMatchObject({
      LoggingConfiguration: expect.objectContaining({ IncludeExecutionData: false, Level: 'ALL' }),
      TracingConfiguration: { Enabled: true },
    });
    const functions = template.findResources('AWS::Lambda::Function');
    const byHandler = (handler: string) => Object.entries(functions).filter(([, f]) => (f as any).Properties.Handler === handler).map(([id]) => id);
    const [signal] = byHandler('index.signal');
    const [attempt] = byHandler('index.attempt');
    expect(functions[signal].Properties).toMatchObject({ Runtime: 'nodejs24.x', Timeout: 30 });
    // The attempt function runs as the provider's handlers (their grants to start, stop and list jobs).
    expect(functions[attempt].Properties).toMatchObject({ Runtime: 'nodejs24.x', Role: { 'Fn::GetAtt': [expect.stringMatching(/HandlerRole/), 'Arn'] } });
    const rendered = (machines[machineId].Properties.DefinitionString['Fn::Join'][1] as unknown[])
      .map((part) => {
        if (typeof part === 'string') return part;
        const target = (part as any)['Fn::GetAtt']?.[0];
        return target === signal ? SIGNAL_ARN : target === attempt ? ATTEMPT_ARN : JSON.stringify(part);
      })
      .join('');
    const definition = JSON.parse(rendered);
    expect(definition).toEqual(longWaitDefinition(FUNCTIONS));
    expect(aslValidator(definition).isValid).toBe(true);
  });

  test('least privilege: the machine may describe backup jobs, read the stack\'s resources (its handles) and invoke its signal function; the function may read the stack\'s resources and log', () => {
    const { stack } = pollerStack();
    const template = Template.fromStack(stack);
    const byRole = (role: RegExp) => (Object.values(template.findResources('AWS::IAM::Policy')) as any[])
      .filter((p) => p.Properties.Roles.some((r: any) => role.test(r.Ref)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as any[])
      .filter((st) => ![st.Action].flat().every((a: string) => a.startsWith('logs:') || a.startsWith('xray:')));
    const machine = byRole(/StateMachineRole/);
    expect(machine.flatMap((st) => [st.Action].flat()).sort()).toEqual(['backup:DescribeBackupJob', 'cloudformation:DescribeStackResource', 'lambda:InvokeFunction', 'lambda:InvokeFunction']);
    // It invokes its own signal and attempt functions, no other.
    const invoked = machine.filter((st) => st.Action === 'lambda:InvokeFunction').flatMap((st) => [st.Resource].flat()).map((r: any) => JSON.stringify(r));
    expect(invoked.every((r) => /LongWaitPoller(Signal|Attempt)/.test(r))).toBe(true);
    expect(machine.find((st) => st.Sid === 'DescribeJobs')).toMatchObject({ Action: 'backup:DescribeBackupJob', Resource: '*' });
    expect(machine.find((st) => st.Sid === 'ReadHandles')).toMatchObject({ Resource: { Ref: 'AWS::StackId' } });
    expect(byRole(/SignalRole/)).toEqual([expect.objectContaining({ Action: 'cloudformation:DescribeStackResource', Resource: { Ref: 'AWS::StackId' } })]);
  });

  test('passes cdk-nag AwsSolutionsChecks, every acknowledgement with its reason', () => {
    const { app } = pollerStack();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('a BackupJob or RestoreJob with a timeout past 58 minutes', () => {
  function longJob(props: Partial<BackupJobProps> = {}, restore = false) {
    const app = new App();
    const stack = new Stack(app, 'Long', { env: { account: '123456789012', region: 'us-east-1' } });
    const table = new dynamodb.Table(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), timeout: Duration.hours(8), ...props });
    if (restore) new RestoreJob(stack, 'Restore', { recoveryPoint: RecoveryPoint.fromBackupJob(job), metadata: { targetTableName: 'orders-copy' }, timeout: Duration.hours(3) });
    return { app, stack, job, template: Template.fromStack(stack) };
  }
  const only = (template: Template, type: string) => {
    const found = Object.entries(template.findResources(type));
    expect(found).toHaveLength(1);
    return { id: found[0][0], resource: found[0][1] as any };
  };

  test('the job\'s resource starts the poller for its handle; the WaitCondition waits the timeout (and a margin) after it; the result resource after the condition gives the attributes', () => {
    const { stack, job, template } = longJob();
    const handle = only(template, 'AWS::CloudFormation::WaitConditionHandle');
    const condition = only(template, 'AWS::CloudFormation::WaitCondition');
    const resource = only(template, 'Custom::BackupJob');
    const result = only(template, 'Custom::BackupJobResult');
    const machine = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) => id.includes('LongWaitPoller'))!;
    expect(resource.resource.Properties).toMatchObject({ TimeoutSeconds: 28800, LongWait: { StateMachineArn: { Ref: machine }, HandleLogicalId: handle.id } });
    expect(resource.resource.DependsOn).toContain(handle.id);
    expect(condition.resource).toMatchObject({ Properties: { Handle: { Ref: handle.id }, Timeout: String(28800 + 120), Count: 1 }, DependsOn: [resource.id] });
    expect(result.resource).toMatchObject({ Properties: { JobId: { 'Fn::GetAtt': [resource.id, 'BackupJobId'] } }, DependsOn: expect.arrayContaining([condition.id]) });
    expect(stack.resolve(job.recoveryPointArn)).toEqual({ 'Fn::GetAtt': [result.id, 'RecoveryPointArn'] });
    expect(stack.resolve(job.backupJobId)).toEqual({ 'Fn::GetAtt': [result.id, 'BackupJobId'] });
  });

  test('a new wait for each new job or timeout: the handle and condition are renamed; a change of removal policy keeps them', () => {
    const ids = (props: Partial<BackupJobProps>) => {
      const { template } = longJob(props);
      return [only(template, 'AWS::CloudFormation::WaitConditionHandle').id, only(template, 'AWS::CloudFormation::WaitCondition').id];
    };
    const base = ids({ trigger: 'm-1' });
    expect(ids({ trigger: 'm-1' })).toEqual(base);
    expect(ids({ trigger: 'm-1', removalPolicy: RemovalPolicy.DESTROY })).toEqual(base);
    for (const changed of [ids({ trigger: 'm-2' }), ids({ trigger: 'm-1', timeout: Duration.hours(9) }), ids({ trigger: 'm-1', allowPartial: true })]) {
      expect(changed[0]).not.toBe(base[0]);
      expect(changed[1]).not.toBe(base[1]);
    }
  });

  test('least privilege: onEvent may start the stack\'s poller; StopExecution of its executions only, in the deletion policy', () => {
    const { template } = longJob({}, true);
    const machine = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) => id.includes('LongWaitPoller'))!;
    const statements = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, p]: [string, any]) => (p.Properties.PolicyDocument.Statement as any[]).map((s) => ({ policy: id, ...s })));
    // The poller is named by the stack's pattern, so that the handlers' policy names it without depending on it
    // (the poller's role may invoke onEvent: a dependency the other way would be a cycle).
    const name = (template.findResources('AWS::StepFunctions::StateMachine')[machine] as any).Properties.StateMachineName as string;
    expect(name).toMatch(/^cdk-backup-jobs-poller-[0-9a-f]{8}$/);
    const start = statements.filter((s) => s.Sid === 'StartPollers');
    expect(start).toEqual([expect.objectContaining({ Action: 'states:StartExecution', policy: expect.stringMatching(/HandlerRoleDefaultPolicy/) })]);
    expect(JSON.stringify(start[0].Resource)).toContain(`:stateMachine:${name}"`);
    const stop = statements.filter((s) => s.Sid === 'StopPollers');
    expect(stop).toEqual([expect.objectContaining({ Action: ['states:DescribeExecution', 'states:StopExecution'], policy: expect.stringMatching(/^DeletionGrants/) })]);
    expect(JSON.stringify(stop[0].Resource)).toContain(`:execution:${name}:*"`);
    // The poller may hand an abandoned job to the provider's onEvent function, and no other.
    const invoke = statements.filter((s) => /StateMachineRole/.test(s.policy) && [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invoke.map((s) => s.Resource))).toMatch(/OnEvent/);
    const describe = statements.find((s) => s.Sid === 'DescribeJobs');
    expect([describe.Action].flat().sort()).toEqual(['backup:DescribeBackupJob', 'backup:DescribeRestoreJob']);
    // The restore waits through its own condition, for the backup's.
    expect(Object.keys(template.findResources('AWS::CloudFormation::WaitCondition'))).toHaveLength(2);
    only(template, 'Custom::RestoreJobResult');
  });

  test('cdk-nag is clean with the long-wait path (backup and restore)', () => {
    const { app } = longJob({}, true);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  test('the short path stays for a timeout of 58 minutes, for waitForCompletion false, and for a timeout that is a token', () => {
    const noLongWait = (template: Template) => {
      template.resourceCountIs('AWS::CloudFormation::WaitCondition', 0);
      template.resourceCountIs('Custom::BackupJobResult', 0);
    };
    noLongWait(longJob({ timeout: Duration.minutes(58) }).template);
    noLongWait(longJob({ waitForCompletion: false }).template);
    const app = new App();
    const stack = new Stack(app, 'Token');
    const hours = new CfnParameter(stack, 'TimeoutSeconds', { type: 'Number', default: 1800 });
    new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromArn('arn:aws:dynamodb:us-east-1:123456789012:table/orders'), timeout: Duration.seconds(hours.valueAsNumber) });
    noLongWait(Template.fromStack(stack));
  });

  test('past 12 hours is a synth error naming the limit', () => {
    expect(() => longJob({ timeout: Duration.hours(13) })).toThrow('timeout (13 hours) must be at most 12 hours: the longest CloudFormation waits for anything (a WaitCondition, which timeouts past 58 minutes wait through)');
  });
});
