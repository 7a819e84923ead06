/**
 * How the provider's handlers are granted a vault or a role: one this library
 * created by the stack's name pattern (so that the policy neither grows with
 * the jobs nor refers to any job's resources), any other by its ARN.
 */
import type { IConstruct } from 'constructs';

export type Grant =
  /** A vault, or a role (under its use's path: `use`), this library created. */
  | { readonly kind: 'stack-pattern'; readonly use?: RoleUse }
  | { readonly kind: 'arn'; readonly arn: string };

/** What AWS Backup assumes a role for: each use's roles live under a path of their own, passed by a statement of their own. */
export type RoleUse = 'backup' | 'restore' | 'copy' | 'scan' | 'scanner';

export const STACK_PATTERN: Grant = { kind: 'stack-pattern' };

export function byArn(arn: string): Grant {
  return { kind: 'arn', arn };
}

/** The grants of the vaults and roles this library created, so that another job given one of them reuses its grant. */
const CREATED = new WeakMap<IConstruct, Grant>();

/** Records how a vault or role this library created is granted. */
export function recordGrant(resource: IConstruct, grant: Grant): void {
  CREATED.set(resource, grant);
}

/** How a vault or role is granted: as recorded when this library created it, else by its ARN. */
export function grantOf(resource: IConstruct, arn: string): Grant {
  return CREATED.get(resource) ?? byArn(arn);
}
