/**
 * Step Functions as the Provider framework and the handlers use it:
 * StartExecution (named executions are idempotent, as on AWS) and
 * StopExecution, authorized by IAM as the deployment stands. The executions of
 * the synthesized waiter state machine (Task states with Retry and Catch) run
 * here; those of machines with other states (the long-wait poller) run in
 * aws-local-stepfunctions (asl-executions.ts). Waits advance the simulated
 * clock instead of sleeping.
 */
import { executionArn as executionArnOf } from '../../lib/core/long-wait';
import { accessKeyOf } from '../stand-in/authorization';
import type { Authorizer } from '../stand-in/server';
import { interpret, InterpretedRun, needsInterpreter } from './asl-executions';
import type { RoleCredentials } from './iam';
import type { VirtualClock } from './virtual-clock';
import { yieldToIo } from './virtual-clock';

export interface StateMachine {
  readonly arn: string;
  readonly definition: { StartAt: string; States: Record<string, any> };
  /** The credentials of the machine's role (its tasks call AWS with them). */
  readonly credentials?: RoleCredentials;
  /** Deleted: its running executions end at their next state transition, as Step Functions does. */
  deleted?: boolean;
}

/** The key under which the simulation tracks the running executions of interpreted machines. */
export const INTERPRETED_WORK = 'step-functions:interpreted';

/** What an invocation of a task's function answered. */
export interface Invoked {
  readonly payload: string;
  readonly functionError?: string;
}

export interface Execution {
  /** The execution's ARN. */
  readonly executionArn: string;
  /** The state machine's ARN. */
  readonly arn: string;
  readonly name: string;
  readonly input: string;
  readonly requestId?: string;
  readonly startedAt: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  attempts: number;
  endedAt?: number;
  /** An interpreted execution's transitions, tasks and waits. */
  readonly run?: InterpretedRun;
  abort?: () => void;
}

type Answer = { status: number; headers: Record<string, string>; body: string };
const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.0' };
const error = (status: number, type: string, message: string): Answer => ({ status, headers: JSON_HEADERS, body: JSON.stringify({ __type: type, message }) });

export class StepFunctions {
  public readonly executions: Execution[] = [];
  private readonly machines = new Map<string, StateMachine>();

  /**
   * @param invoke runs a task's function (Lambda)
   * @param track keeps the simulation aware of a running execution (of a CloudFormation request)
   */
  constructor(
    private readonly clock: VirtualClock,
    private readonly invoke: (functionName: string, payload: string) => Promise<Invoked>,
    private readonly track: (work: Promise<unknown>, requestId?: string) => void,
    private readonly authorizer: () => Authorizer | undefined = () => undefined,
    private readonly functionArn: (nameOrArn: string) => string = (name) => name,
  ) {}

  public register(arn: string, definition: StateMachine['definition'], credentials?: RoleCredentials): void {
    this.machines.set(arn, { arn, definition, credentials });
  }

  /** A deleted state machine: its executions are terminated at their next transition. */
  public delete(arn: string): void {
    const machine = this.machines.get(arn);
    if (machine) machine.deleted = true;
    this.machines.delete(arn);
    for (const execution of this.executions) {
      if (execution.arn === arn && execution.status === 'RUNNING') execution.abort?.();
    }
  }

  /** Whether the caller's role may do this now (IAM as the deployment stands); the denial's answer if not. */
  private async denied(authorization: string, action: string, resource: string): Promise<Answer | undefined> {
    const authorizer = this.authorizer();
    const key = accessKeyOf(authorization);
    if (!authorizer || !key) return undefined;
    const denied = await authorizer(key, [{ action, resource }]);
    return denied ? error(400, 'AccessDeniedException', `User: ${denied.principal} is not authorized to perform: ${action} on resource: ${resource}`) : undefined;
  }

  public reset(): void {
    this.machines.clear();
    this.executions.length = 0;
  }

  /**
   * StartExecution (the JSON protocol). A name already used answers the
   * running execution again when the input is the same, and
   * ExecutionAlreadyExists otherwise (names are not reused).
   */
  public async startExecution(body: string, now: number, authorization = ''): Promise<Answer> {
    const { stateMachineArn, input, name } = JSON.parse(body) as { stateMachineArn: string; input?: string; name?: string };
    const deniedAnswer = await this.denied(authorization, 'states:StartExecution', stateMachineArn);
    if (deniedAnswer) return deniedAnswer;
    const machine = this.machines.get(stateMachineArn);
    if (!machine) return error(400, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    if (name !== undefined && !/^[A-Za-z0-9_-]{1,80}$/.test(name)) return error(400, 'InvalidName', `Invalid Name: '${name}'`);
    const executionName = name ?? `execution-${this.executions.length + 1}`;
    const executionArn = executionArnOf(stateMachineArn, executionName);
    const existing = this.executions.find((e) => e.executionArn === executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === (input ?? '{}')) {
        return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ executionArn, startDate: existing.startedAt / 1000 }) };
      }
      return error(400, 'ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: Execution = {
      executionArn, arn: machine.arn, name: executionName, input: input ?? '{}', requestId: requestIdOf(input), startedAt: now, status: 'RUNNING', attempts: 0,
      run: needsInterpreter(machine.definition) ? { transitions: 0, tasks: {}, waits: [] } : undefined,
    };
    this.executions.push(execution);
    if (execution.run) this.track(this.interpretExecution(machine, execution), INTERPRETED_WORK);
    else this.track(this.execute(machine, execution), execution.requestId);
    return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ executionArn, startDate: now / 1000 }) };
  }

  /** StopExecution: a running execution is aborted; one that ended is left as it is. */
  public async stopExecution(body: string, now: number, authorization = ''): Promise<Answer> {
    const { executionArn } = JSON.parse(body) as { executionArn: string };
    const deniedAnswer = await this.denied(authorization, 'states:StopExecution', executionArn);
    if (deniedAnswer) return deniedAnswer;
    const execution = this.executions.find((e) => e.executionArn === executionArn);
    if (!execution) return error(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    if (execution.status === 'RUNNING') {
      execution.abort?.();
      execution.status = 'ABORTED';
      execution.endedAt = now;
    }
    return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ stopDate: now / 1000 }) };
  }

  /** DescribeExecution: an execution's status and input. */
  public async describeExecution(body: string, authorization = ''): Promise<Answer> {
    const { executionArn } = JSON.parse(body) as { executionArn: string };
    const deniedAnswer = await this.denied(authorization, 'states:DescribeExecution', executionArn);
    if (deniedAnswer) return deniedAnswer;
    const execution = this.executions.find((e) => e.executionArn === executionArn);
    if (!execution) return error(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return {
      status: 200,
      headers: JSON_HEADERS,
      body: JSON.stringify({
        executionArn, stateMachineArn: execution.arn, name: execution.name, status: execution.status, input: execution.input,
        startDate: execution.startedAt / 1000, ...(execution.endedAt !== undefined ? { stopDate: execution.endedAt / 1000 } : {}),
      }),
    };
  }

  private async interpretExecution(machine: StateMachine, execution: Execution): Promise<void> {
    const running = interpret(machine.definition, JSON.parse(execution.input), {
      clock: this.clock,
      credentials: machine.credentials,
      run: execution.run!,
      services: {
        invoke: async (functionName, payload) => {
          // The invocation runs to its end even if the execution is stopped meanwhile (as Lambda's would).
          const invocation = this.invoke(functionName, JSON.stringify(payload));
          this.track(invocation, INTERPRETED_WORK);
          const result = await invocation;
          if (result.functionError) {
            const failure = JSON.parse(result.payload) as { errorType?: string; errorMessage?: string };
            throw Object.assign(new Error(failure.errorMessage ?? 'function error'), { name: failure.errorType ?? 'Lambda.Unknown' });
          }
          return result.payload ? JSON.parse(result.payload) : null;
        },
        functionArn: this.functionArn,
        authorize: async (credentials, checks) => {
          const authorizer = this.authorizer();
          return !authorizer || !(await authorizer(credentials.AWS_ACCESS_KEY_ID, checks));
        },
      },
    });
    execution.abort = running.abort;
    const status = await running.result;
    if (execution.status === 'RUNNING') {
      execution.status = status;
      execution.endedAt = this.clock.now();
    }
  }

  /**
   * Runs an execution of a state machine made of Task states with Retry and
   * Catch, as Step Functions does: a failed task is retried after
   * IntervalSeconds (times BackoffRate each time) up to MaxAttempts, then caught.
   * Waits advance the simulated clock instead of sleeping.
   */
  private async execute(machine: StateMachine, execution: Execution): Promise<void> {
    const input = execution.input;
    await yieldToIo();
    let stateName = machine.definition.StartAt;
    let data = input;
    for (;;) {
      if (machine.deleted) {
        execution.status = 'ABORTED';
        return;
      }
      const state = machine.definition.States[stateName];
      if (state.Type !== 'Task') throw new Error(`the simulation runs Task states only (${stateName} is ${state.Type})`);
      const retriesUsed = new Map<unknown, number>();
      let output: string | undefined;
      let caught: { Next: string; input: string } | undefined;
      for (;;) {
        if (machine.deleted) {
          execution.status = 'ABORTED';
          return;
        }
        execution.attempts += 1;
        const result = await this.invoke(state.Resource, data).catch((error: Error): Invoked => ({
          functionError: 'Unhandled',
          payload: JSON.stringify({ errorType: `Lambda.${error.name}`, errorMessage: error.message }),
        }));
        if (!result.functionError) {
          output = result.payload;
          break;
        }
        const error = JSON.parse(result.payload) as { errorType: string };
        const matches = (rule: { ErrorEquals: string[] }) => rule.ErrorEquals.includes('States.ALL') || rule.ErrorEquals.includes(error.errorType);
        const retrier = (state.Retry ?? []).find(matches);
        const used = retrier ? retriesUsed.get(retrier) ?? 0 : 0;
        if (retrier && used < (retrier.MaxAttempts ?? 3)) {
          retriesUsed.set(retrier, used + 1);
          await this.clock.sleep((retrier.IntervalSeconds ?? 1) * 1000 * Math.pow(retrier.BackoffRate ?? 2, used));
          continue;
        }
        const catcher = (state.Catch ?? []).find(matches);
        if (!catcher) {
          execution.status = 'FAILED';
          return;
        }
        caught = { Next: catcher.Next, input: JSON.stringify({ Error: error.errorType, Cause: result.payload }) };
        break;
      }
      if (caught) {
        stateName = caught.Next;
        data = caught.input;
        continue;
      }
      if (state.End) {
        execution.status = 'SUCCEEDED';
        return;
      }
      stateName = state.Next;
      data = output ?? 'null';
    }
  }
}

/** The CloudFormation request an event or execution input belongs to. */
export function requestIdOf(payload: string | undefined): string | undefined {
  try {
    const id = payload ? JSON.parse(payload)?.RequestId : undefined;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
