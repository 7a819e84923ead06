/**
 * CloudFormation's API as the handlers call it: DescribeStackResource,
 * DescribeStacks (with a nested stack's ParentId and RootId) and GetTemplate
 * (the Query protocol, XML answers), from the stacks the simulated
 * CloudFormation registers, each call authorized on the stack's ARN. Deleted stacks stay described by their id, as CloudFormation
 * keeps them.
 */
import { accessKeyOf } from '../stand-in/authorization';
import type { Authorizer } from '../stand-in/server';
import { escapeXml } from '../stand-in/xml';

/** A stack resource as CloudFormation's DescribeStackResource shows it. */
export interface StackResourceDetail {
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly type: string;
  readonly status: string;
  readonly lastUpdated: number;
}

export interface StackView {
  readonly stackId: string;
  readonly stackName: string;
  /** A nested stack's parent and root stack ids (DescribeStacks' ParentId and RootId). */
  readonly parentId?: string;
  readonly rootId?: string;
  resource(logicalId: string): StackResourceDetail | undefined;
  /** The stack's status (CREATE_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, DELETE_IN_PROGRESS, ...). */
  status(): string;
  /** The template GetTemplate answers: the one the stack is being (or was last) deployed with. */
  template(): unknown;
}

type Answer = { status: number; headers: Record<string, string>; body: string };

/** The actions this API answers, and what each needs of the request. */
const ACTIONS = ['DescribeStackResource', 'DescribeStacks', 'GetTemplate'] as const;
type Action = typeof ACTIONS[number];

export class CloudFormationApi {
  /** Every call answered, with the status it showed or the error. */
  public readonly calls: { action: string; logicalId?: string; status?: string; error?: string }[] = [];
  /** Every call answers "Rate exceeded" (throttled) while set. */
  public throttled = false;
  private readonly stacks = new Map<string, StackView>();

  /** Whether a Query-protocol body is a call of this API. */
  public static actionOf(body: string): Action | undefined {
    const action = new URLSearchParams(body).get('Action');
    return (ACTIONS as readonly string[]).includes(action ?? '') ? action as Action : undefined;
  }

  /** A stack whose resources the API describes (by stack id and by name). */
  public registerStack(view: StackView): void {
    this.stacks.set(view.stackId, view);
    this.stacks.set(view.stackName, view);
  }

  public reset(): void {
    this.stacks.clear();
    this.calls.length = 0;
    this.throttled = false;
  }

  /** One call of the API (the Query protocol, XML answers), from the simulated stacks. */
  public async call(action: Action, params: URLSearchParams, authorization: string, authorizer?: Authorizer): Promise<Answer> {
    const logicalId = params.get('LogicalResourceId') ?? undefined;
    const fail = (status: number, code: string, message: string): Answer => {
      this.calls.push({ action, logicalId, error: code });
      return {
        status,
        headers: XML,
        body: `<ErrorResponse xmlns="${CFN_NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
      };
    };
    if (this.throttled) return fail(400, 'Throttling', 'Rate exceeded');
    const stackName = params.get('StackName');
    if (!stackName) return fail(400, 'ValidationError', 'StackName is required');
    if (action === 'DescribeStackResource' && !logicalId) return fail(400, 'ValidationError', 'LogicalResourceId is required');
    const stack = this.stacks.get(stackName);
    if (!stack) return fail(400, 'ValidationError', action === 'DescribeStackResource' ? `Stack '${stackName}' does not exist` : `Stack with id ${stackName} does not exist`);
    const key = accessKeyOf(authorization);
    if (authorizer && key) {
      const denied = await authorizer(key, [{ action: `cloudformation:${action}`, resource: stack.stackId }]);
      if (denied) return fail(403, 'AccessDenied', `User: ${denied.principal} is not authorized to perform: cloudformation:${action} on resource: ${stack.stackId}`);
    }
    const ok = (result: string): Answer => ({
      status: 200,
      headers: XML,
      body: `<${action}Response xmlns="${CFN_NAMESPACE}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></${action}Response>`,
    });
    switch (action) {
      case 'DescribeStackResource': {
        const detail = stack.resource(logicalId!);
        if (!detail) return fail(400, 'ValidationError', `Resource ${logicalId} does not exist for stack ${stack.stackName}`);
        this.calls.push({ action, logicalId, status: detail.status });
        return ok('<StackResourceDetail>'
          + member('StackName', stack.stackName) + member('StackId', stack.stackId) + member('LogicalResourceId', logicalId)
          + member('PhysicalResourceId', detail.physicalId) + member('ResourceType', detail.type)
          + member('LastUpdatedTimestamp', new Date(detail.lastUpdated).toISOString()) + member('ResourceStatus', detail.status)
          + '</StackResourceDetail>');
      }
      case 'DescribeStacks': {
        const status = stack.status();
        this.calls.push({ action, status });
        return ok('<Stacks><member>' + member('StackName', stack.stackName) + member('StackId', stack.stackId)
          + member('CreationTime', new Date(0).toISOString()) + member('StackStatus', status)
          + member('ParentId', stack.parentId) + member('RootId', stack.rootId) + '</member></Stacks>');
      }
      case 'GetTemplate': {
        const template = stack.template();
        if (template === undefined) return fail(400, 'ValidationError', `Stack with id ${stackName} does not exist`);
        this.calls.push({ action, status: stack.status() });
        return ok(member('TemplateBody', JSON.stringify(template)) + '<StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>');
      }
    }
  }
}

const XML = { 'content-type': 'text/xml' };
const CFN_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

function member(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`;
}

