/**
 * Step Functions as the Provider framework uses it: StartExecution, and the
 * executions of the synthesized waiter state machine (Task states with Retry
 * and Catch), its waits advancing the simulated clock instead of sleeping.
 */
import type { VirtualClock } from './virtual-clock';
import { yieldToIo } from './virtual-clock';

export interface StateMachine {
  readonly arn: string;
  readonly definition: { StartAt: string; States: Record<string, any> };
  /** Deleted: its running executions end at their next state transition, as Step Functions does. */
  deleted?: boolean;
}

/** What an invocation of a task's function answered. */
export interface Invoked {
  readonly payload: string;
  readonly functionError?: string;
}

export interface Execution {
  readonly arn: string;
  readonly requestId?: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  attempts: number;
}

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
  ) {}

  public register(arn: string, definition: StateMachine['definition']): void {
    this.machines.set(arn, { arn, definition });
  }

  /** A deleted state machine: its executions are terminated at their next transition. */
  public delete(arn: string): void {
    const machine = this.machines.get(arn);
    if (machine) machine.deleted = true;
    this.machines.delete(arn);
  }

  public reset(): void {
    this.machines.clear();
    this.executions.length = 0;
  }

  /** StartExecution (the JSON protocol). */
  public startExecution(body: string, now: number): { status: number; headers: Record<string, string>; body: string } {
    const { stateMachineArn, input } = JSON.parse(body);
    const machine = this.machines.get(stateMachineArn);
    if (!machine) {
      return { status: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ __type: 'StateMachineDoesNotExist', message: stateMachineArn }) };
    }
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${this.executions.length + 1}`;
    this.track(this.execute(machine, input ?? '{}'), requestIdOf(input));
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ executionArn, startDate: now / 1000 }) };
  }

  /**
   * Runs an execution of a state machine made of Task states with Retry and
   * Catch, as Step Functions does: a failed task is retried after
   * IntervalSeconds (times BackoffRate each time) up to MaxAttempts, then caught.
   * Waits advance the simulated clock instead of sleeping.
   */
  private async execute(machine: StateMachine, input: string): Promise<void> {
    const execution: Execution = { arn: machine.arn, requestId: requestIdOf(input), status: 'RUNNING', attempts: 0 };
    this.executions.push(execution);
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
          this.clock.advance((retrier.IntervalSeconds ?? 1) * 1000 * Math.pow(retrier.BackoffRate ?? 2, used));
          await yieldToIo();
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
