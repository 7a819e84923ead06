/**
 * CloudFormation's API as the handlers call it: DescribeStackResource (the
 * Query protocol, XML answers), from the stacks the simulated CloudFormation
 * registers. Deleted stacks stay described by their id, as CloudFormation keeps them.
 */
import { accessKeyOf } from '../stand-in/authorization';
import type { Authorizer } from '../stand-in/server';

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
  resource(logicalId: string): StackResourceDetail | undefined;
}

export class CloudFormationApi {
  /** Every DescribeStackResource answered, with the status it showed or the error. */
  public readonly calls: { action: string; logicalId?: string; status?: string; error?: string }[] = [];
  /** DescribeStackResource answers "Rate exceeded" (throttled) while set. */
  public throttled = false;
  private readonly stacks = new Map<string, StackView>();

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

  /** CloudFormation's DescribeStackResource (the Query protocol, XML answers), from the simulated stacks. */
  public async describeStackResource(params: URLSearchParams, authorization: string, authorizer?: Authorizer): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const xml = { 'content-type': 'text/xml' };
    const fail = (status: number, code: string, message: string) => {
      this.calls.push({ action: 'DescribeStackResource', logicalId: params.get('LogicalResourceId') ?? undefined, error: code });
      return {
        status,
        headers: xml,
        body: `<ErrorResponse xmlns="${CFN_NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
      };
    };
    if (this.throttled) return fail(400, 'Throttling', 'Rate exceeded');
    const stackName = params.get('StackName');
    const logicalId = params.get('LogicalResourceId');
    if (!stackName || !logicalId) return fail(400, 'ValidationError', 'StackName and LogicalResourceId are required');
    const stack = this.stacks.get(stackName);
    if (!stack) return fail(400, 'ValidationError', `Stack '${stackName}' does not exist`);
    const key = accessKeyOf(authorization);
    if (authorizer && key) {
      const denied = await authorizer(key, [{ action: 'cloudformation:DescribeStackResource', resource: stack.stackId }]);
      if (denied) return fail(403, 'AccessDenied', `User: ${denied.principal} is not authorized to perform: cloudformation:DescribeStackResource on resource: ${stack.stackId}`);
    }
    const detail = stack.resource(logicalId);
    if (!detail) return fail(400, 'ValidationError', `Resource ${logicalId} does not exist for stack ${stack.stackName}`);
    this.calls.push({ action: 'DescribeStackResource', logicalId, status: detail.status });
    const member = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`);
    return {
      status: 200,
      headers: xml,
      body: `<DescribeStackResourceResponse xmlns="${CFN_NAMESPACE}"><DescribeStackResourceResult><StackResourceDetail>`
        + member('StackName', stack.stackName) + member('StackId', stack.stackId) + member('LogicalResourceId', logicalId)
        + member('PhysicalResourceId', detail.physicalId) + member('ResourceType', detail.type)
        + member('LastUpdatedTimestamp', new Date(detail.lastUpdated).toISOString()) + member('ResourceStatus', detail.status)
        + '</StackResourceDetail></DescribeStackResourceResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></DescribeStackResourceResponse>',
    };
  }
}

const CFN_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
