import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A cdk-nag finding that this library answers for, and why. */
export interface Finding {
  /** The rule, optionally narrowed to one finding: `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  readonly reason: string;
}

/**
 * Acknowledges cdk-nag findings on constructs this library owns, so that users
 * who run cdk-nag see only what they control. Each acknowledgement carries its
 * reason.
 *
 * cdk-nag 3 reads `Validations.of(...).acknowledge` (aws-cdk-lib 2.257 and
 * later); cdk-nag 2 reads the `cdk_nag` metadata of each CloudFormation resource.
 */
export function acknowledgeFindings(scope: IConstruct, findings: readonly Finding[]): void {
  const validations = (cdk as unknown as { Validations?: { of(s: IConstruct): { acknowledge(...f: Finding[]): void } } }).Validations;
  validations?.of(scope).acknowledge(...findings);

  for (const child of scope.node.findAll()) {
    if (!cdk.CfnResource.isCfnResource(child)) continue;
    const existing = (child.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
    const v2 = findings.map((f) => {
      const m = /^([^[]+)\[(.+)\]$/.exec(f.id);
      return m ? { id: m[1], reason: f.reason, applies_to: [m[2]] } : { id: f.id, reason: f.reason };
    });
    child.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...v2] });
  }
}

/** The findings already acknowledged on each scope. */
const acknowledged = new WeakMap<IConstruct, Set<string>>();

/** Acknowledges each finding on a scope once, however many jobs ask for it. */
export function acknowledgeOnce(scope: IConstruct, findings: readonly Finding[]): void {
  let seen = acknowledged.get(scope);
  if (!seen) acknowledged.set(scope, seen = new Set());
  const fresh = findings.filter((f) => !seen!.has(f.id));
  fresh.forEach((f) => seen!.add(f.id));
  if (fresh.length > 0) acknowledgeFindings(scope, fresh);
}

/** A resource ARN as cdk-nag prints it in a finding: pseudo parameters as `<AWS::Region>`, references as `<Logical.Arn>`. */
export function nagResource(scope: IConstruct, arn: string): string {
  const flatten = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, any>;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(flatten).join(o['Fn::Join'][0]);
    if (o.Ref) return `<${o.Ref}>`;
    if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
    return JSON.stringify(v);
  };
  return flatten(cdk.Stack.of(scope).resolve(arn));
}
