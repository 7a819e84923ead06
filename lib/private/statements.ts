import { Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Adds resources to a statement that collects them as jobs are declared: the
 * statement is made with its first resources, and renders them all, so that
 * one statement per action serves every job and the policy stays small.
 */
export function collectInto(
  resources: Set<string>,
  statement: Pick<iam.PolicyStatementProps, 'sid' | 'actions' | 'conditions'>,
  arns: readonly string[],
  add: (statement: iam.PolicyStatement) => void,
): void {
  if (!made.has(resources)) {
    made.add(resources);
    add(new iam.PolicyStatement({ ...statement, resources: Lazy.list({ produce: () => [...resources] }) }));
  }
  arns.forEach((arn) => resources.add(arn));
}

/** The resource sets whose statement was made. */
const made = new WeakSet<Set<string>>();
