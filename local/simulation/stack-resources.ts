/**
 * A stack's resources as the simulated CloudFormation records them: their
 * state (physical id, properties, attributes), their status and the stack's as
 * CloudFormation's API describes them (DescribeStackResource, DescribeStacks,
 * GetTemplate), its events, and what creating, updating and deleting each does
 * in the simulated services (Lambda, Step Functions, IAM, the AWS Backup
 * stand-in's vaults and tables).
 */
import { randomBytes, randomUUID } from 'crypto';
import type { CfnResource, CfnTemplate, SynthesizedStack } from './assembly';
import type { StackResourceDetail } from './cloudformation-api';
import { resolve, ResourceState, simulatedResource, StackEnvironment } from './intrinsics';
import type { CloudFormationOptions } from './stack-operations';
import { WAIT_CONDITION, WAIT_HANDLE } from './wait-conditions';

/** A stack event: a resource's status (or the stack's) as it was reached (simulated time). */
export interface StackEvent {
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly at: number;
  readonly reason?: string;
}

/** Where a nested stack sits: its parent's stack id and its root stack's. */
export interface Nesting {
  readonly parentId: string;
  readonly rootId: string;
}

export class StackResources {
  public env: StackEnvironment;
  /** The stack's events, in order. */
  public readonly events: StackEvent[] = [];
  private readonly resources = new Map<string, ResourceState>();
  /** Each resource's status, as CloudFormation's API describes it. */
  private statuses = new Map<string, StackResourceDetail>();
  /** The stack's status and the template CloudFormation's API answers with (GetTemplate). */
  private stack: { status: string; template?: CfnTemplate } = { status: 'REVIEW_IN_PROGRESS' };
  /** How many times each logical id was made anew (each physical resource gets a generated name of its own). */
  private readonly generations = new Map<string, number>();
  private created = false;

  /** The values of the stack's parameters (a nested stack's, from its parent). */
  public parameters: Record<string, unknown> = {};

  constructor(private readonly options: CloudFormationOptions, stackName: string, private readonly nesting?: Nesting) {
    const region = options.region ?? 'us-east-1';
    const account = options.account ?? '123456789012';
    this.env = { region, account, partition: 'aws', stackName, stackId: '' };
    this.newStack();
  }

  /** The stack's creation begins: a stack created before (deleted, or rolled back) is made anew. */
  public beginCreate(): void {
    if (this.created) this.newStack();
    this.created = true;
  }

  /**
   * A stack of this name made anew (the first time, and after it was deleted or
   * rolled back from its creation): CloudFormation gives it a new stack id, so
   * the names it generates (roles, functions) are new too. The earlier stack
   * is still described by its id, as CloudFormation keeps deleted stacks.
   */
  private newStack(): void {
    const { region, account, stackName } = this.env;
    const statuses = new Map<string, StackResourceDetail>();
    const stack: { status: string; template?: CfnTemplate } = { status: 'REVIEW_IN_PROGRESS' };
    this.statuses = statuses;
    this.stack = stack;
    this.env = { ...this.env, stackId: `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/${randomUUID()}` };
    this.options.aws.registerStack({
      stackId: this.env.stackId,
      stackName,
      ...(this.nesting ? { parentId: this.nesting.parentId, rootId: this.nesting.rootId } : {}),
      resource: (logicalId) => statuses.get(logicalId),
      status: () => stack.status,
      template: () => stack.template,
    });
    this.created = false;
  }

  /** The stack's status as CloudFormation's DescribeStacks shows it. */
  public get stackStatus(): string {
    return this.stack.status;
  }

  /** Moves the stack to a status (what DescribeStacks answers from now on). */
  public setStackStatus(status: string): void {
    this.stack.status = status;
    this.events.push({ logicalId: this.env.stackName, type: 'AWS::CloudFormation::Stack', status, at: this.options.clock.now() });
  }

  /** Records a resource's status (and, once known, its physical id), as CloudFormation shows it. */
  public setStatus(logicalId: string, type: string, status: string, physicalId?: string, reason?: string): void {
    this.events.push({ logicalId, type, status, at: this.options.clock.now(), ...(reason ? { reason } : {}) });
    this.statuses.set(logicalId, { logicalId, type, status, physicalId: physicalId ?? this.statuses.get(logicalId)?.physicalId, lastUpdated: this.options.clock.now() });
  }

  /** The current state of a resource. */
  public resource(logicalId: string): ResourceState | undefined {
    return this.resources.get(logicalId);
  }

  /** The stack's resources of a type, as they are now. */
  public resourcesOfType(type: string): ResourceState[] {
    return [...this.resources.values()].filter((r) => r.type === type);
  }

  /** The template CloudFormation's API answers with (GetTemplate): the one being deployed, or the last deployed. */
  public set template(template: CfnTemplate | undefined) {
    this.stack.template = template;
  }

  /** A resource's state from now on. */
  public set(logicalId: string, state: ResourceState): void {
    this.resources.set(logicalId, state);
  }

  /** Records a resource the simulation does not run: created, updated in place, or replaced by a new one (`replace`). */
  public record(stack: SynthesizedStack, logicalId: string, resource: CfnResource, replace = false): void {
    if (resource.Type === 'AWS::CDK::Metadata') return;
    const properties = this.resolve(resource.Properties ?? {}) as Record<string, any>;
    const existing = replace ? undefined : this.resources.get(logicalId);
    // Each new physical resource (a replacement, or the same logical id made again) gets a name of its own.
    if (!existing) this.generations.set(logicalId, this.generations.has(logicalId) ? this.generations.get(logicalId)! + 1 : 0);
    const made = existing ?? simulatedResource(resource.Type, logicalId, properties, this.env, this.generations.get(logicalId));
    // A WaitConditionHandle's physical id (and Ref) is its presigned URL.
    const physicalId = !existing && resource.Type === WAIT_HANDLE ? this.options.aws.waitHandleUrl(randomBytes(12).toString('hex')) : made.physicalId;
    const attributes = made.attributes;
    this.resources.set(logicalId, { logicalId, type: resource.Type, physicalId, attributes, properties });
    this.setStatus(logicalId, resource.Type, resource.Type === WAIT_CONDITION && !existing ? 'CREATE_IN_PROGRESS' : existing ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE', physicalId);
    this.options.iam?.put(this.iamKey(logicalId), resource.Type, properties, physicalId, attributes);
    switch (resource.Type) {
      case 'AWS::Lambda::Function':
        this.options.aws.registerFunction({
          credentials: this.options.iam && typeof properties.Role === 'string' ? { ...this.options.iam.credentialsFor(properties.Role) } : undefined,
          logicalId,
          name: physicalId,
          arn: attributes.Arn as string,
          handler: properties.Handler,
          codeDirectory: stack.codeDirectory(logicalId),
          inlineCode: properties.Code?.ZipFile,
          environment: properties.Environment?.Variables ?? {},
          timeoutSeconds: Number(properties.Timeout ?? 3),
        });
        break;
      case 'AWS::StepFunctions::StateMachine':
        this.options.aws.registerStateMachine(physicalId, JSON.parse(properties.DefinitionString),
          this.options.iam && typeof properties.RoleArn === 'string' ? this.options.iam.credentialsFor(properties.RoleArn) : undefined);
        break;
      case 'AWS::Backup::BackupVault':
        this.options.onVaultCreated?.(physicalId);
        break;
      default:
        // An unchanged resource is not touched (its deletion protection may have been changed since).
        if (!existing || JSON.stringify(existing.properties) !== JSON.stringify(properties)) this.options.onResourceCreated?.(resource.Type, physicalId, properties);
        break;
    }
  }

  /** A resource CloudFormation deleted: gone from the stack, from IAM, from Lambda and Step Functions. */
  public forget(logicalId: string): void {
    const state = this.resources.get(logicalId);
    this.resources.delete(logicalId);
    if (state?.type === WAIT_HANDLE) {
      this.options.aws.deleteHandle(state.physicalId);
      this.setStatus(logicalId, WAIT_HANDLE, 'DELETE_COMPLETE', state.physicalId);
    }
    this.options.iam?.remove(this.iamKey(logicalId));
    if (state?.type === 'AWS::Lambda::Function') this.options.aws.unregisterFunction(String(state.attributes.Arn));
    if (state?.type === 'AWS::StepFunctions::StateMachine') this.options.aws.deleteStateMachine(state.physicalId);
  }

  /** A resource an update rollback puts back as it was. */
  public restore(before: ResourceState): void {
    this.resources.set(before.logicalId, before);
    this.options.iam?.put(this.iamKey(before.logicalId), before.type, before.properties as Record<string, any>, before.physicalId, before.attributes);
  }

  /** A resource's key in IAM's records: stacks (a nested stack and its parent among them) share logical ids. */
  private iamKey(logicalId: string): string {
    return `${this.env.stackName}/${logicalId}`;
  }

  /** The physical id CloudFormation makes up for a resource whose Create got no answer. */
  public madeUpPhysicalId(logicalId: string): string {
    return `${this.env.stackName}-${logicalId}-${randomBytes(6).toString('hex').toUpperCase()}`;
  }

  public resolve(value: unknown): unknown {
    return resolve(value, { env: this.env, resources: this.resources, parameters: this.parameters });
  }

  /** The values of a template's outputs. */
  public outputs(template: CfnTemplate | undefined): Record<string, string> {
    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(template?.Outputs ?? {})) {
      outputs[name] = String(this.resolve(output.Value));
    }
    return outputs;
  }
}
