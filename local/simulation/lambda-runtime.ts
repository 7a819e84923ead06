/**
 * Lambda, simulated in this process: functions run from their code in the
 * cloud assembly, each in module instances of its own (as each runs in its
 * own container), each invocation with its own environment variables, time
 * limit and log lines; background work (asynchronous invocations, executions)
 * is tracked by the CloudFormation request it serves.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { format } from 'util';
import { Invoked, requestIdOf } from './step-functions';
import { VirtualClock } from './virtual-clock';

/** How long (real time) a running function holds the simulated clock. */
const BUSY_MS = 1_000;

export interface LambdaFunction {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly handler: string;
  readonly codeDirectory?: string;
  readonly inlineCode?: string;
  readonly environment: Record<string, string>;
  readonly timeoutSeconds: number;
  /** The credentials of the function's role, as Lambda puts them in its environment. */
  readonly credentials?: Record<string, string>;
}

export interface Invocation {
  readonly functionName: string;
  readonly logicalId: string;
  readonly at: number;
  readonly payload: unknown;
  result?: unknown;
  error?: { errorType: string; errorMessage: string };
}

export interface LogLine {
  readonly functionName?: string;
  readonly line: string;
}

const context = new AsyncLocalStorage<{ functionName: string; environment: Record<string, string> }>();

export class LambdaRuntime {
  public readonly invocations: Invocation[] = [];
  public readonly logs: LogLine[] = [];
  /** Called after every invocation (for progress reports). */
  public onInvocation?: (invocation: Invocation, fn: LambdaFunction) => void;
  private readonly functions = new Map<string, LambdaFunction>();
  private readonly modules = new Map<string, Record<string, any>>();
  /** Work under way (background invocations and executions), by the CloudFormation request it serves. */
  private readonly inFlight = new Map<string, number>();
  /** When (real time) each function run now began. */
  private readonly running = new Set<{ readonly started: number }>();
  private idleWaiters: { key?: string; resolve: () => void }[] = [];
  private inlineDir?: string;
  private restore: (() => void)[] = [];

  /** `endpoint`: where the frameworks' responses go (the local ResponseURL's host). */
  constructor(protected readonly clock: VirtualClock, private readonly endpoint: () => string) {}

  /**
   * Routes the process's environment variables and console to the invocation
   * that reads or writes them (functions run side by side in this process).
   */
  public captureProcess(options: { echo?: boolean } = {}): void {
    const realEnv = process.env;
    process.env = new Proxy(realEnv, {
      get: (target, key) => {
        const env = context.getStore()?.environment;
        return typeof key === 'string' && env && key in env ? env[key] : Reflect.get(target, key);
      },
    });
    const original = { log: console.log, warn: console.warn, error: console.error, info: console.info };
    const sink = (...args: unknown[]) => {
      const store = context.getStore();
      const line = format(...args);
      if (store) this.logs.push({ functionName: store.functionName, line });
      else if (options.echo !== false) original.log(line);
    };
    console.log = sink;
    console.warn = sink;
    console.error = sink;
    console.info = sink;
    this.restore.push(() => {
      process.env = realEnv;
      Object.assign(console, original);
    });
  }

  /** Puts the process's environment and console back, and removes what the runtime wrote. */
  public stopRuntime(): void {
    this.restore.reverse().forEach((r) => r());
    this.restore = [];
    if (this.inlineDir) fs.rmSync(this.inlineDir, { recursive: true, force: true });
  }

  /** Forgets functions and records (between scenarios). */
  public resetRuntime(): void {
    this.functions.clear();
    this.forgetModules();
    this.invocations.length = 0;
    this.logs.length = 0;
  }

  public registerFunction(fn: LambdaFunction): void {
    this.functions.set(fn.arn, fn);
    this.functions.set(fn.name, fn);
  }

  /** Lambda forgets a deleted function: later invocations fail with ResourceNotFoundException. */
  public unregisterFunction(arnOrName: string): void {
    const fn = this.functions.get(arnOrName);
    if (!fn) return;
    this.functions.delete(fn.arn);
    this.functions.delete(fn.name);
    this.forgetModules(fn.arn);
  }

  /** Drops the module instances of a function (or of every function): what a deleted function loaded is freed. */
  private forgetModules(arn?: string): void {
    for (const key of [...this.modules.keys()]) {
      if (arn === undefined || key.startsWith(`${arn} `)) this.modules.delete(key);
    }
  }

  /** Whether Lambda knows a function (by name or ARN, with or without a qualifier). */
  public hasFunction(nameOrArn: string): boolean {
    return this.functions.has(functionKey(nameOrArn));
  }

  /** A function's ARN, for its name or ARN. */
  public functionArn(nameOrArn: string): string {
    return this.functions.get(functionKey(nameOrArn))?.arn ?? nameOrArn;
  }

  /** Whether any work runs in the background (an invocation, an execution). */
  /**
   * Whether a function's code runs now, so that the simulated clock does not
   * jump under it. A function that has run for a second of real time is
   * taken to wait (a retry's timer, an SDK waiter that counts in simulated
   * time): it holds the clock no longer.
   */
  public get functionsRunning(): boolean {
    const now = performance.now();
    return [...this.running].some((run) => now - run.started < BUSY_MS);
  }

  public hasBackgroundWork(): boolean {
    return this.inFlight.size > 0;
  }

  /** Whether work for a CloudFormation request still runs in the background. */
  public isBusy(requestId: string): boolean {
    return this.inFlight.has(requestId);
  }

  /**
   * Resolves when no invocation or execution runs in the background: none at
   * all, or none for one CloudFormation request (by its RequestId).
   */
  public idle(requestId?: string): Promise<void> {
    const busy = requestId === undefined ? this.inFlight.size > 0 : this.inFlight.has(requestId);
    return busy ? new Promise((resolve) => this.idleWaiters.push({ key: requestId, resolve })) : Promise.resolve();
  }

  /** Invokes a function as Lambda would: RequestResponse waits for it; Event runs it in the background. */
  public async invoke(functionName: string, payload: string, type: 'RequestResponse' | 'Event' = 'RequestResponse'): Promise<Invoked> {
    const fn = this.lookup(functionName);
    if (type === 'Event') {
      this.track(this.run(fn, payload), requestIdOf(payload));
      return { payload: '' };
    }
    return this.run(fn, payload);
  }

  public lookup(functionName: string): LambdaFunction {
    const fn = this.functions.get(functionKey(functionName));
    if (!fn) throw Object.assign(new Error(`Function not found: ${functionName}`), { name: 'ResourceNotFoundException' });
    return fn;
  }

  public track(work: Promise<unknown>, key = '(none)'): void {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    work.catch(() => undefined).finally(() => {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
      const [ready, waiting] = partition(this.idleWaiters, (w) => (w.key === undefined ? this.inFlight.size === 0 : !this.inFlight.has(w.key)));
      this.idleWaiters = waiting;
      ready.forEach((w) => w.resolve());
    });
  }

  private async run(fn: LambdaFunction, payload: string): Promise<Invoked> {
    const event = payload ? JSON.parse(payload) : undefined;
    const invocation: Invocation = { functionName: fn.name, logicalId: fn.logicalId, at: this.clock.now(), payload: event };
    this.invocations.push(invocation);
    const [file, exportName] = splitHandler(fn.handler);
    try {
      const mod = this.load(fn, file);
      const handler = mod[exportName];
      if (typeof handler !== 'function') throw new Error(`${fn.handler} is not a function in ${fn.name}`);
      const lambdaContext = {
        functionName: fn.name,
        invokedFunctionArn: fn.arn,
        awsRequestId: `${this.invocations.length}`,
        getRemainingTimeInMillis: () => fn.timeoutSeconds * 1000,
      };
      const environment = { ...fn.environment, ...fn.credentials, AWS_LAMBDA_FUNCTION_NAME: fn.name };
      const run = { started: performance.now() };
      this.running.add(run);
      const result = await context.run({ functionName: fn.name, environment }, () => withTimeout(Promise.resolve(handler(event, lambdaContext)), fn.timeoutSeconds * 1000, fn.name))
        .finally(() => { this.running.delete(run); });
      invocation.result = result;
      this.onInvocation?.(invocation, fn);
      return { payload: JSON.stringify(result ?? null) };
    } catch (error: any) {
      invocation.error = { errorType: error?.name ?? 'Error', errorMessage: error?.message ?? String(error) };
      // As the Node.js runtime does: an error thrown from the handler is written to the function's log.
      this.logs.push({ functionName: fn.name, line: `ERROR\tInvoke Error\t${JSON.stringify({ ...invocation.error, stack: String(error?.stack ?? '').split('\n') })}` });
      this.onInvocation?.(invocation, fn);
      return {
        functionError: 'Unhandled',
        payload: JSON.stringify({ ...invocation.error, trace: String(error?.stack ?? '').split('\n') }),
      };
    }
  }

  private load(fn: LambdaFunction, file: string): Record<string, any> {
    let dir = fn.codeDirectory;
    if (!dir && fn.inlineCode !== undefined) {
      this.inlineDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'simulated-lambda-'));
      // By its code too: a function redeployed with other code runs the new code (a module is loaded once per path).
      dir = path.join(this.inlineDir, `${fn.logicalId}-${createHash('sha256').update(fn.inlineCode).digest('hex').slice(0, 12)}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${file}.js`), fn.inlineCode);
    }
    if (!dir) throw new Error(`${fn.name} has no code the simulation can run`);
    const modulePath = path.join(dir, `${file}.js`);
    // Each function gets module instances of its own, as each Lambda function runs in its own container:
    // functions that share a code asset (onEvent, isComplete, the poller's signal; the Provider
    // framework's onEvent, isComplete and onTimeout) never share a client, and so never each other's
    // credentials. An asset is loaded as a tree of its own files, as Node.js loads them (the library's
    // handler bundle and the one it loads on first use; the aws-cdk frameworks' files, their transport swapped, below).
    const framework = fs.existsSync(path.join(dir, 'outbound.js')) || fs.existsSync(path.join(dir, '__entrypoint__.js'));
    const key = `${fn.arn} ${modulePath}`;
    let mod = this.modules.get(key);
    if (!mod) {
      const tree = freshModuleTree(modulePath, dir);
      if (framework) this.adaptResponseTransport(dir, tree.load);
      mod = tree.exports;
      this.modules.set(key, mod);
    }
    return mod;
  }

  /**
   * aws-cdk's custom resource frameworks send CloudFormation's response with a
   * transport of their own that always speaks HTTPS on port 443: the Provider
   * framework's `outbound.httpRequest`, the CustomResourceProvider's
   * `external.sendHttpRequest`. Only that transport is swapped, for a plain
   * HTTP PUT to the local ResponseURL; the framework builds the request (URL
   * path, headers, body) itself.
   */
  private adaptResponseTransport(dir: string, load: (file: string) => Record<string, any>): void {
    const local = new URL(this.endpoint());
    const transport = (options: http.RequestOptions, body: string) => new Promise<void>((resolve, reject) => {
      if (options.hostname !== local.hostname) {
        reject(new Error(`the framework answered ${options.hostname}, not the simulated ResponseURL`));
        return;
      }
      const request = http.request({ ...options, port: local.port }, (response) => {
        response.resume();
        if (!response.statusCode || response.statusCode >= 400) reject(new Error(`Unsuccessful HTTP response: ${response.statusCode}`));
        else resolve();
      });
      request.on('error', reject);
      request.end(body);
    });
    if (fs.existsSync(path.join(dir, 'outbound.js')) && fs.existsSync(path.join(dir, 'cfn-response.js'))) {
      const outbound = load(path.join(dir, 'outbound.js'));
      outbound.httpRequest = transport;
      // On any failed invocation the framework waits up to 5 minutes (real time) for the function to become
      // active. A simulated function is always active, so the wait could only hold the simulation up (a waiter
      // that outlived its stack's rollback, its function or its role's policy deleted): the invocation fails at once.
      let lambda: { invoke(request: unknown): Promise<unknown> } | undefined;
      outbound.invokeFunction = (request: { FunctionName: string }) => {
        if (!this.functions.has(functionKey(request.FunctionName))) {
          return Promise.reject(Object.assign(new Error(`Function not found: ${request.FunctionName}`), { name: 'ResourceNotFoundException' }));
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        lambda ??= new (require('@aws-sdk/client-lambda').Lambda)({ requestHandler: { requestTimeout: 900_000 } });
        return lambda!.invoke(request);
      };
    }
    if (fs.existsSync(path.join(dir, '__entrypoint__.js'))) {
      load(path.join(dir, '__entrypoint__.js')).external.sendHttpRequest = transport;
    }
  }
}

/**
 * New instances of a CommonJS asset (a bundle, or an aws-cdk framework's
 * files), outside any module cache, compiled in this realm (so that under jest
 * they see the same globals, `process.env` among them, as the code that loads
 * them): the entry and every file of `root` it requires, each loaded once per
 * tree; packages (the AWS SDK of a framework's files) come from the
 * simulation's own node_modules.
 */
function freshModuleTree(entry: string, root: string): { exports: Record<string, any>; load: (file: string) => Record<string, any> } {
  const instances = new Map<string, { exports: Record<string, any> }>();
  const load = (file: string): Record<string, any> => {
    const existing = instances.get(file);
    if (existing) return existing.exports;
    const mod = { exports: {} as Record<string, any> };
    instances.set(file, mod);
    if (file.endsWith('.json')) {
      mod.exports = JSON.parse(fs.readFileSync(file, 'utf8'));
      return mod.exports;
    }
    const localRequire = ((specifier: string) => {
      if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
        const resolved = resolveFile(path.resolve(path.dirname(file), specifier));
        if (resolved && resolved.startsWith(root)) return load(resolved);
      }
      return require(specifier);
    }) as NodeRequire;
    compiledBody(file)(mod.exports, localRequire, mod, file, path.dirname(file));
    return mod.exports;
  };
  return { exports: load(entry), load };
}

function resolveFile(base: string): string | undefined {
  return [base, `${base}.js`, `${base}.json`, path.join(base, 'index.js')].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
}

function compiledBody(file: string): CommonJsBody {
  let body = compiled.get(file);
  if (!body) {
    // Compiled once per file; each instance runs its top-level code anew (its own clients and caches).
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    body = new Function('exports', 'require', 'module', '__filename', '__dirname', `${fs.readFileSync(file, 'utf8')}\n//# sourceURL=${file}`) as CommonJsBody;
    compiled.set(file, body);
  }
  return body;
}

type CommonJsBody = (exports: Record<string, any>, require: NodeRequire, module: { exports: Record<string, any> }, filename: string, dirname: string) => void;
const compiled = new Map<string, CommonJsBody>();

/** A function's name or ARN as Lambda finds it: decoded, without a version or alias qualifier. */
function functionKey(nameOrArn: string): string {
  return decodeURIComponent(nameOrArn).replace(/:(\$LATEST|\d+)$/, '');
}


function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((i) => !test(i))];
}

function splitHandler(handler: string): [string, string] {
  const i = handler.lastIndexOf('.');
  return [handler.slice(0, i), handler.slice(i + 1)];
}

function withTimeout<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`Task timed out after ${ms / 1000} seconds (${name})`), { name: 'Sandbox.Timedout' })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
