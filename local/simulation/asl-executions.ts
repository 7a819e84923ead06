/**
 * Step Functions executions of state machines with Choice, Pass and Wait
 * states (the long-wait poller), run by aws-local-stepfunctions, a local
 * Amazon States Language interpreter. Its Task states are served here as Step
 * Functions would serve them, with the machine's role: AWS SDK integrations
 * (`arn:aws:states:::aws-sdk:backup:<action>`) call the AWS Backup stand-in
 * over HTTP with the role's credentials (IAM enforced there), and
 * `arn:aws:states:::lambda:invoke` invokes a local function once the role may.
 * Waits and retry intervals pass on the simulated clock, not in real time.
 */
import type { IamCheck } from './iam';
import type { RoleCredentials } from './iam';
import { Interpreter } from './asl-interpreter';
import { VirtualClock } from './virtual-clock';

/** What an interpreted execution did (for tests and the benchmark). */
export interface InterpretedRun {
  /** States entered (Step Functions bills state transitions). */
  transitions: number;
  /** Calls made by Task states, by resource. */
  readonly tasks: Record<string, number>;
  /** The Wait states' waits, in seconds, in order. */
  readonly waits: number[];
}

export interface TaskServices {
  /** Runs a function as Lambda does; a function error is thrown. */
  invoke(functionName: string, payload: unknown): Promise<unknown>;
  /** IAM's decision for the machine's role (undefined when IAM is not enforced). */
  authorize?(credentials: RoleCredentials, checks: IamCheck[]): Promise<boolean>;
  /** A function's ARN from its name or ARN (Lambda authorizes an invocation on the ARN however it is named). */
  functionArn?(nameOrArn: string): string;
}

/** Whether a definition needs the interpreter (more than Task states with Retry and Catch). */
export function needsInterpreter(definition: { States: Record<string, { Type: string }> }): boolean {
  return Object.values(definition.States).some((state) => state.Type !== 'Task');
}

/**
 * Runs one execution; resolves with its end: SUCCEEDED, FAILED or ABORTED
 * (`abort` stops it, as StopExecution or a deleted machine does).
 */
export function interpret(
  definition: { States: Record<string, any> },
  input: unknown,
  options: { clock: VirtualClock; credentials?: RoleCredentials; services: TaskServices; run: InterpretedRun },
): { abort: () => void; result: Promise<'SUCCEEDED' | 'FAILED' | 'ABORTED'> } {
  const { clock, credentials, services, run } = options;
  const handlers: Record<string, (parameters: any) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Wait') waits[name] = 1;
    if (state.Retry) retries[name] = 1;
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    handlers[name] = async (parameters) => {
      run.tasks[resource] = (run.tasks[resource] ?? 0) + 1;
      return serveTask(resource, parameters, credentials, services);
    };
  }
  const machine = new Interpreter(definition as never, { validationOptions: { checkArn: false } });
  // A Wait (and a retry interval) takes a real millisecond; the event log moves the clock on first.
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    noThrowOnAbort: true,
  });
  let aborted = false;
  const events = (async () => {
    for await (const event of execution.eventLogs as AsyncGenerator<any>) {
      if (event.type === 'StateEntered') {
        run.transitions += 1;
        const state = definition.States[event.state.name];
        if (state.Type === 'Wait') {
          const seconds = waitSeconds(state, event.state.input);
          run.waits.push(seconds);
          // From when the state was entered: waits entered at the same moment end at the same moment.
          clock.advanceTo(event.timestamp + seconds * 1000);
        }
      } else if (event.type === 'StateRetried') {
        const { retrier, attempt } = event.retry as { retrier: { IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number }; attempt: number };
        const seconds = (retrier.IntervalSeconds ?? 1) * Math.pow(retrier.BackoffRate ?? 2, Math.max(0, attempt - 1));
        clock.advanceTo(event.timestamp + Math.min(seconds, retrier.MaxDelaySeconds ?? Infinity) * 1000);
      }
    }
  })();
  const result = execution.result.then(
    (output) => (aborted || output === null ? 'ABORTED' as const : 'SUCCEEDED' as const),
    () => 'FAILED' as const,
  ).finally(() => events);
  return { abort: () => { aborted = true; execution.abort(); }, result };
}

function waitSeconds(state: any, input: any): number {
  if (typeof state.Seconds === 'number') return state.Seconds;
  if (typeof state.SecondsPath === 'string') {
    // The poller's paths are plain member paths ($.a.b).
    return Number(state.SecondsPath.slice(2).split('.').reduce((o: any, k: string) => o?.[k], input));
  }
  throw new Error('the simulation serves Wait states with Seconds or SecondsPath');
}

/** The AWS SDK integrations the simulation serves: the service's client package and its error prefix. */
const SDK_SERVICES: Record<string, { load: () => Record<string, any>; client: string; errorPrefix: string }> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  backup: { load: () => require('@aws-sdk/client-backup'), client: 'BackupClient', errorPrefix: 'Backup' },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cloudformation: { load: () => require('@aws-sdk/client-cloudformation'), client: 'CloudFormationClient', errorPrefix: 'CloudFormation' },
};

async function serveTask(resource: string, parameters: any, credentials: RoleCredentials | undefined, services: TaskServices): Promise<unknown> {
  const sdk = /^arn:aws:states:::aws-sdk:([a-z]+):([a-zA-Z]+)$/.exec(resource);
  if (sdk) {
    const service = SDK_SERVICES[sdk[1]];
    if (!service) throw new Error(`the simulation serves no SDK integration of ${sdk[1]}`);
    const action = sdk[2][0].toUpperCase() + sdk[2].slice(1);
    const module = service.load();
    const Command = module[`${action}Command`] as (new (input: unknown) => any) | undefined;
    if (!Command) throw new Error(`the simulation knows no ${sdk[1]} action ${action}`);
    const client = new module[service.client]({
      maxAttempts: 1,
      credentials: credentials && { accessKeyId: credentials.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY, sessionToken: credentials.AWS_SESSION_TOKEN },
    });
    try {
      const { $metadata, ...output } = await client.send(new Command(parameters));
      void $metadata;
      // Step Functions hands the answer on as JSON: dates as ISO 8601 strings.
      return JSON.parse(JSON.stringify(output));
    } catch (error: any) {
      // The SDK integration's errors are named by the service: Backup.ResourceNotFoundException.
      throw Object.assign(new Error(error?.message ?? String(error)), { name: `${service.errorPrefix}.${error?.name ?? 'Error'}` });
    } finally {
      client.destroy();
    }
  }
  if (resource === 'arn:aws:states:::lambda:invoke') {
    const functionName = String(parameters.FunctionName);
    const arn = services.functionArn?.(functionName) ?? functionName;
    if (credentials && services.authorize && !(await services.authorize(credentials, [{ action: 'lambda:InvokeFunction', resource: arn }]))) {
      throw Object.assign(new Error(`not authorized to perform lambda:InvokeFunction on ${functionName}`), { name: 'Lambda.AWSLambdaException' });
    }
    const payload = await services.invoke(functionName, parameters.Payload);
    return { StatusCode: 200, Payload: payload };
  }
  throw new Error(`the simulation serves no Task resource ${resource}`);
}
