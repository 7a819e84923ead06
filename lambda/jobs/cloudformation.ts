/**
 * Whether CloudFormation still waits for a request. A waiter can outlive the
 * request it serves: CloudFormation stops waiting when a sibling resource fails
 * or the stack is cancelled, and then sends a Delete (or an Update back) that
 * knows nothing of what the waiter does next. Before the waiter starts a job,
 * and now and then while one runs, it asks CloudFormation about its resource:
 * the request it serves is still awaited while the resource shows the status
 * and the timestamp it had when the request began.
 */
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand, GetTemplateCommand, Stack } from '@aws-sdk/client-cloudformation';
import { describeError, isTransientError } from '../shared/errors';
import { log } from '../shared/log';
import { bounded } from './invocation';
import { physicalIdOf } from './physical-id';
import { isRollingBack } from './stack-statuses';
import { fingerprint } from '../../lib/core/properties';

/** The resource as CloudFormation showed it when the request began. */
export interface RequestWatch {
  readonly status: string;
  readonly lastUpdated: string;
}

/**
 * still-waiting (or answered by another delivery of this very request); moved-on:
 * the resource changed since the request began (cancelled, rolled back, deleted,
 * or answered by another request), with its status now; unknown: CloudFormation
 * gave no answer now.
 */
export type Awaited =
  | { readonly state: 'still-waiting' }
  | { readonly state: 'moved-on'; readonly status: string; readonly physicalId?: string }
  | { readonly state: 'unknown' };

let client: CloudFormationClient | undefined;

function cloudFormation(): CloudFormationClient {
  client ??= bounded(new CloudFormationClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 } }));
  return client;
}

interface Request {
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestType: string;
}

/** A resource of a stack, as CloudFormation describes it. */
export async function describeStackResource(request: Pick<Request, 'StackId' | 'LogicalResourceId'>) {
  const { StackResourceDetail } = await cloudFormation().send(new DescribeStackResourceCommand({
    StackName: request.StackId,
    LogicalResourceId: request.LogicalResourceId,
  }));
  return StackResourceDetail;
}

/**
 * A stack as DescribeStacks shows it, or undefined when CloudFormation cannot
 * tell now (logged: `what` was read, and what is done `instead`).
 */
async function describeStack(stackId: string, what: string, instead?: string): Promise<Stack | undefined> {
  try {
    return (await cloudFormation().send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0];
  } catch (error) {
    log('warn', `could not read ${what} from CloudFormation${instead ? `; ${instead}` : ''}`, { error: describeError(error) });
    return undefined;
  }
}

/**
 * The stack's status (DELETE_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS,
 * ...), or undefined when CloudFormation cannot tell now. For a nested stack
 * whose root stack rolls back, the root's: a nested stack that its parent's
 * rollback deletes shows its own DELETE_IN_PROGRESS.
 */
export async function stackStatusOf(stackId: string): Promise<string | undefined> {
  const stack = await describeStack(stackId, 'the stack\'s status');
  if (!stack?.RootId || stack.RootId === stack.StackId) return stack?.StackStatus;
  const root = (await describeStack(stack.RootId, 'the root stack\'s status', 'going by the nested stack\'s own'))?.StackStatus;
  if (isRollingBack(root)) {
    log('info', 'the root stack rolls back: so does this nested stack', { status: stack.StackStatus, rootStatus: root });
    return root;
  }
  return stack.StackStatus;
}

/**
 * The resources of the stack's template (the one being deployed, or deployed
 * last), by logical id, or undefined when CloudFormation cannot tell now or
 * the template is not JSON.
 */
export async function templateResources(stackId: string): Promise<Record<string, { Properties?: Record<string, unknown> }> | undefined> {
  try {
    const { TemplateBody } = await cloudFormation().send(new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Original' }));
    const resources = (JSON.parse(TemplateBody ?? '') as { Resources?: Record<string, { Properties?: Record<string, unknown> }> }).Resources;
    return resources && typeof resources === 'object' ? resources : undefined;
  } catch (error) {
    log('warn', 'could not read the stack\'s template from CloudFormation', { error: describeError(error) });
    return undefined;
  }
}

/** The logical ids of the resources in the stack's template, or undefined when CloudFormation cannot tell now. */
export async function templateResourceIds(stackId: string): Promise<Set<string> | undefined> {
  const resources = await templateResources(stackId);
  return resources ? new Set(Object.keys(resources)) : undefined;
}

/**
 * In an update's cleanup phase, whether the new template keeps what the
 * replaced job resource made: the resource is still there (a new job replaced
 * the old one) and its RemovalPolicy there is not destroy. When the template
 * cannot be read, it keeps (the safe answer). Outside a cleanup phase, and for
 * a resource that left the template, its own RemovalPolicy decides: false.
 */
export async function keptByNewTemplate(stackId: string, logicalId: string): Promise<boolean> {
  if (await stackStatusOf(stackId) !== 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') return false;
  const resources = await templateResources(stackId);
  if (!resources) return true;
  const resource = resources[logicalId];
  return resource !== undefined && resource.Properties?.RemovalPolicy !== 'destroy';
}

/** The statuses in which a stack stays after the operation under way (an update's cleanup, or its rollback). */
const STACK_STAYS: ReadonlySet<string> = new Set(['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS']);

/**
 * Whether a resource of the stack outlives the operation under way: the stack
 * stays (its own status: a nested stack its parent deletes goes), and the
 * resource is in the template CloudFormation is bringing about (the new one in
 * an update's cleanup, the previous one in its rollback). When CloudFormation
 * cannot tell now: no.
 */
export async function outlivesOperation(stackId: string, logicalId: string): Promise<boolean> {
  if (!STACK_STAYS.has((await describeStack(stackId, 'the stack\'s status'))?.StackStatus ?? '')) return false;
  const resources = await templateResources(stackId);
  return resources !== undefined && logicalId in resources;
}

/**
 * The resource's status when the request begins (onEvent), or undefined when
 * CloudFormation cannot tell now (then the waiter does without the check).
 */
async function watchRequest(request: Request): Promise<RequestWatch | undefined> {
  try {
    const detail = await describeStackResource(request);
    if (!detail?.ResourceStatus || !detail.LastUpdatedTimestamp) return undefined;
    return { status: detail.ResourceStatus, lastUpdated: detail.LastUpdatedTimestamp.toISOString() };
  } catch (error) {
    log('warn', 'could not read the resource\'s status from CloudFormation; waiting without checking that CloudFormation still waits', { error: describeError(error) });
    return undefined;
  }
}

/**
 * The watch of a request that is about to start a job; throws when CloudFormation
 * no longer waits for it (a late delivery: it answered, cancelled or moved on).
 */
export async function watchAwaitedRequest(request: Request, what: string): Promise<RequestWatch | undefined> {
  const watch = await watchRequest(request);
  if (watch && watch.status !== `${request.RequestType.toUpperCase()}_IN_PROGRESS`) {
    throw new Error(`CloudFormation no longer waits for this ${request.RequestType} of ${request.LogicalResourceId} (the resource is ${watch.status}); no ${what} was started`);
  }
  return watch;
}

/** Whether CloudFormation still waits for the request the watch was taken at (for a job of this kind). */
export async function stillAwaited(request: Request & { ResourceProperties: Record<string, unknown> }, watch: RequestWatch | undefined, kind: string): Promise<Awaited> {
  if (!watch) return { state: 'still-waiting' };
  let detail;
  try {
    detail = await describeStackResource(request);
  } catch (error) {
    if (isTransientError(error)) return { state: 'unknown' };
    // The resource is gone from the stack (a deleted stack, a removed resource): nothing waits.
    return { state: 'moved-on', status: describeError(error) };
  }
  const status = detail?.ResourceStatus ?? '';
  const lastUpdated = detail?.LastUpdatedTimestamp?.toISOString() ?? '';
  if (status === watch.status && lastUpdated === watch.lastUpdated) return { state: 'still-waiting' };
  const now = { status, physicalId: detail?.PhysicalResourceId };
  return answeredByThisRequest(now, request, kind) ? { state: 'still-waiting' } : { state: 'moved-on', ...now };
}

/**
 * Whether CloudFormation's resource shows this request's own answer (another
 * delivery of it answered first): completed, with a job of this kind started for
 * these very properties (an Update starts a job only for properties that differ
 * from the current job's, so that is never the previous job).
 */
function answeredByThisRequest(now: { status: string; physicalId?: string }, request: Request & { ResourceProperties: Record<string, unknown> }, kind: string): boolean {
  if (now.status !== `${request.RequestType.toUpperCase()}_COMPLETE`) return false;
  return physicalIdOf(kind, now.physicalId)?.fingerprint === fingerprint(request.ResourceProperties);
}
