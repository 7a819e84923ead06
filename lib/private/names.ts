/**
 * How the vaults, backup roles and poller this library creates in a stack are
 * named: vault names start with `vaultNamePrefix`, roles live under
 * `rolePath` and their use's path below it (`rolePathFor`), the poller is `pollerName`. The handlers' permissions name these
 * patterns rather than each resource, so that the policy does not grow with
 * the number of jobs and does not depend on any job's resources (a job may
 * then depend on another job without a cycle).
 */
import { createHash } from 'crypto';
import { Names, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { RoleUse } from './grants';

export interface GeneratedNames {
  readonly vaultNamePrefix: string;
  readonly rolePath: string;
  /** The name of the stack's long-wait poller (a state machine). */
  readonly pollerName: string;
}

/** The generated-name patterns of a stack (stable: derived from the stack's name). */
export function generatedNames(scope: Construct): GeneratedNames {
  const stack = Stack.of(scope);
  const identity = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 8);
  return { vaultNamePrefix: `bj-${hash}-`, rolePath: `/cdk-backup-jobs/${hash}/`, pollerName: `cdk-backup-jobs-poller-${hash}` };
}

/** The path of the roles this library creates in a stack for one use (backups, restores, copies). */
export function rolePathFor(scope: Construct, use: RoleUse): string {
  return `${generatedNames(scope).rolePath}${use}/`;
}

/** The ARN pattern of the roles this library creates in a stack for one use. */
export function rolePatternFor(scope: Construct, use: RoleUse): string {
  return Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${rolePathFor(scope, use).slice(1)}*` });
}

/** A vault name for a job's own vault: the stack's prefix and a name unique in the stack (at most 50 characters). */
export function generatedVaultName(job: Construct): string {
  const { vaultNamePrefix } = generatedNames(job);
  return vaultNamePrefix + Names.uniqueResourceName(job, { maxLength: 50 - vaultNamePrefix.length, separator: '-' });
}
