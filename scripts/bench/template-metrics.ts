/**
 * What a synthesized template costs against CloudFormation's and IAM's limits:
 * its size, its resources, its Lambda functions and its IAM policy documents
 * (sized as IAM counts them: intrinsics resolved to realistic values, no white space
 * between elements).
 */
import { readFileSync } from 'fs';
import { resolve, ResourceState, simulatedResource, StackEnvironment } from '../../local/simulation/intrinsics';

/** The limits the numbers are held against. */
export const LIMITS = {
  /** CloudFormation: resources in a stack. */
  resources: 500,
  /** CloudFormation: a template body uploaded through S3, in bytes (as `cdk deploy` does for large templates). */
  templateBytes: 1_000_000,
  /** IAM: the inline policies of one role together, in characters without white space. */
  roleInlinePolicies: 10_240,
  /** IAM: one managed policy, in characters without white space. */
  managedPolicy: 6_144,
};

export interface TemplateMetrics {
  /** The template as `cdk synth` writes it. */
  readonly bytes: number;
  /** The template minified (no white space outside strings), as it could be uploaded at the least. */
  readonly minifiedBytes: number;
  readonly resources: number;
  readonly lambdas: number;
  readonly resourcesByType: Readonly<Record<string, number>>;
  /** The largest single identity policy document (inline or managed), in IAM characters. */
  readonly largestPolicy: number;
  /** The largest sum of one role's inline policies, in IAM characters (IAM limits it to 10,240). */
  readonly largestRoleInlinePolicies: number;
}

const ENV: StackEnvironment = {
  region: 'us-east-1',
  account: '123456789012',
  partition: 'aws',
  stackName: 'Bench',
  stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Bench/00000000-0000-0000-0000-000000000000',
};

type Resource = { Type: string; Properties?: Record<string, any> };

export function templateMetrics(file: string): TemplateMetrics {
  const text = readFileSync(file, 'utf8');
  const template = JSON.parse(text) as { Resources?: Record<string, Resource> };
  const resources = template.Resources ?? {};
  const resourcesByType: Record<string, number> = {};
  for (const r of Object.values(resources)) resourcesByType[r.Type] = (resourcesByType[r.Type] ?? 0) + 1;

  const states = new Map<string, ResourceState>();
  for (const [logicalId, r] of Object.entries(resources)) {
    const { physicalId, attributes } = simulatedResource(r.Type, logicalId, r.Properties ?? {}, ENV);
    states.set(logicalId, { logicalId, type: r.Type, physicalId, attributes, properties: r.Properties ?? {} });
  }
  const size = (document: unknown) => policySize(document, states);

  let largestPolicy = 0;
  const perRole = new Map<string, number>();
  const addToRole = (roleLogicalId: string, n: number) => perRole.set(roleLogicalId, (perRole.get(roleLogicalId) ?? 0) + n);
  for (const [logicalId, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Role') {
      for (const inline of p.Policies ?? []) {
        const n = size(inline.PolicyDocument);
        largestPolicy = Math.max(largestPolicy, n);
        addToRole(logicalId, n);
      }
    } else if (r.Type === 'AWS::IAM::Policy') {
      const n = size(p.PolicyDocument);
      largestPolicy = Math.max(largestPolicy, n);
      for (const role of p.Roles ?? []) if (role?.Ref) addToRole(role.Ref, n);
    } else if (r.Type === 'AWS::IAM::ManagedPolicy') {
      largestPolicy = Math.max(largestPolicy, size(p.PolicyDocument));
    }
  }

  return {
    bytes: Buffer.byteLength(text),
    minifiedBytes: Buffer.byteLength(JSON.stringify(template)),
    resources: Object.keys(resources).length,
    lambdas: (resourcesByType['AWS::Lambda::Function'] ?? 0) + (resourcesByType['AWS::Serverless::Function'] ?? 0),
    resourcesByType,
    largestPolicy,
    largestRoleInlinePolicies: Math.max(0, ...perRole.values()),
  };
}

/** A policy document's size as IAM counts it: resolved, without white space between its elements. */
export function policySize(document: unknown, resources: ReadonlyMap<string, ResourceState>): number {
  let resolved: unknown;
  try {
    resolved = resolve(document, { env: ENV, resources });
  } catch {
    // An intrinsic the resolver does not know: count the unresolved form, which is never shorter.
    resolved = document;
  }
  return JSON.stringify(resolved).length;
}
