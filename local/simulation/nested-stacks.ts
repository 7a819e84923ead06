/**
 * A stack's nested stacks: each `AWS::CloudFormation::Stack` whose template is
 * in the cloud assembly is simulated as a stack of its own, with its parent's
 * and root stack's ids (DescribeStacks' ParentId and RootId). CloudFormation
 * creates it as a resource of its parent, updates it when its template or
 * parameters change (and back, when the parent's update rolls back), and
 * deletes it with its parent, or when the parent's rollback deletes what the
 * failed deployment made: the nested stack then shows its own
 * DELETE_IN_PROGRESS, and only its root's status says it is a rollback.
 */
import type { CfnResource, SynthesizedStack } from './assembly';
import type { ResourceState } from './intrinsics';
import type { CustomResourceOperation, StackOperationResult } from './stack-operations';
import type { Nesting, StackResources } from './stack-resources';

export const NESTED_STACK = 'AWS::CloudFormation::Stack';

/** What the simulation needs of a nested stack's own CloudFormation. */
export interface NestedCloudFormation {
  readonly env: { readonly stackId: string; readonly stackName: string };
  create(stack: SynthesizedStack, parameters?: Record<string, unknown>): Promise<StackOperationResult>;
  update(stack: SynthesizedStack, mode?: 'update' | 'rollback', parameters?: Record<string, unknown>): Promise<StackOperationResult>;
  destroy(): Promise<StackOperationResult>;
}

export class NestedStacks {
  private readonly children = new Map<string, { cfn: NestedCloudFormation; stack: SynthesizedStack; parameters: Record<string, unknown> }>();

  constructor(
    private readonly state: StackResources,
    private readonly nesting: Nesting | undefined,
    private readonly make: (stackName: string, nesting: Nesting) => NestedCloudFormation,
  ) {}

  /** Creates the nested stack of a resource; the reason it failed, if it did. */
  public async create(parent: SynthesizedStack, logicalId: string, resource: CfnResource, operations: CustomResourceOperation[]): Promise<string | undefined> {
    const stackId = this.state.env.stackId;
    const cfn = this.make(`${this.state.env.stackName}-${logicalId}`, { parentId: stackId, rootId: this.nesting?.rootId ?? stackId });
    const stack = parent.nested(logicalId);
    const parameters = this.parametersOf(resource);
    this.children.set(logicalId, { cfn, stack, parameters });
    this.state.setStatus(logicalId, NESTED_STACK, 'CREATE_IN_PROGRESS', cfn.env.stackId);
    const result = await cfn.create(stack, parameters);
    operations.push(...result.operations);
    const failure = result.status === 'CREATE_COMPLETE' ? undefined : `Embedded stack ${cfn.env.stackId} was not successfully created: ${result.reason ?? result.status}`;
    this.state.set(logicalId, { logicalId, type: NESTED_STACK, physicalId: cfn.env.stackId, properties: this.state.resolve(resource.Properties ?? {}) as Record<string, unknown>, attributes: outputsOf(result) });
    this.state.setStatus(logicalId, NESTED_STACK, failure ? 'CREATE_FAILED' : 'CREATE_COMPLETE', cfn.env.stackId, failure);
    return failure;
  }

  /**
   * Updates a nested stack whose template or parameters changed (`mode`
   * rollback: back to what it was, as its parent's update rolls back); the
   * reason it failed, if it did. What it was before, for the rollback.
   */
  public async update(parent: SynthesizedStack, logicalId: string, resource: CfnResource, operations: CustomResourceOperation[], mode: 'update' | 'rollback' = 'update'): Promise<{ changed: boolean; failure?: string }> {
    const child = this.children.get(logicalId)!;
    const stack = parent.nested(logicalId);
    const parameters = this.parametersOf(resource);
    if (JSON.stringify([stack.template, parameters]) === JSON.stringify([child.stack.template, child.parameters])) return { changed: false };
    this.children.set(logicalId, { ...child, stack, parameters });
    this.state.setStatus(logicalId, NESTED_STACK, 'UPDATE_IN_PROGRESS', child.cfn.env.stackId);
    const result = await child.cfn.update(stack, mode, parameters);
    operations.push(...result.operations);
    const failure = result.status === 'UPDATE_COMPLETE' || mode === 'rollback' ? undefined : `Embedded stack ${child.cfn.env.stackId} was not successfully updated: ${result.reason ?? result.status}`;
    const now = this.state.resource(logicalId)!;
    this.state.set(logicalId, { ...now, properties: this.state.resolve(resource.Properties ?? {}) as Record<string, unknown>, attributes: failure ? now.attributes : outputsOf(result) });
    this.state.setStatus(logicalId, NESTED_STACK, failure ? 'UPDATE_FAILED' : 'UPDATE_COMPLETE', child.cfn.env.stackId, failure);
    return { changed: true, failure };
  }

  /** Deletes a nested stack; the reason it failed, if it did. */
  public async delete(state: ResourceState, operations: CustomResourceOperation[]): Promise<string | undefined> {
    const child = this.children.get(state.logicalId);
    if (!child || child.cfn.env.stackId !== state.physicalId) return undefined;
    this.state.setStatus(state.logicalId, NESTED_STACK, 'DELETE_IN_PROGRESS', state.physicalId);
    const result = await child.cfn.destroy();
    operations.push(...result.operations);
    const failure = result.status === 'DELETE_COMPLETE' ? undefined : `Embedded stack ${state.physicalId} was not successfully deleted: ${result.reason ?? result.status}`;
    if (!failure) this.children.delete(state.logicalId);
    this.state.setStatus(state.logicalId, NESTED_STACK, failure ? 'DELETE_FAILED' : 'DELETE_COMPLETE', state.physicalId, failure);
    return failure;
  }

  /** The nested stack of a resource, as its own CloudFormation. */
  public of(logicalId: string): NestedCloudFormation | undefined {
    return this.children.get(logicalId)?.cfn;
  }

  private parametersOf(resource: CfnResource): Record<string, unknown> {
    return this.state.resolve(resource.Properties?.Parameters ?? {}) as Record<string, unknown>;
  }
}

/** A nested stack's outputs, as its parent reads them (Fn::GetAtt Outputs.Name). */
function outputsOf(result: StackOperationResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result.outputs).map(([name, value]) => [`Outputs.${name}`, value]));
}
