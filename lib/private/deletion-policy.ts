/**
 * What the job resources' Deletes need, in a policy of its own that each such
 * resource depends on. Its logical id and name change with its content, so
 * that CloudFormation makes a new one before the resources that need it are
 * created or updated, and deletes the old one only after the resources that
 * depended on it in the previous template: the cleanup of a replaced or removed
 * job, and the rollback of a failed update, still run with the grants they need
 * (the handlers' default policy changes earlier, in the update phase).
 */
import { createHash } from 'crypto';
import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeOnce } from './acknowledge';
import { collectInto } from './statements';

export class DeletionGrants {
  private readonly statements = new Map<string, Set<string>>();
  private policy?: iam.Policy;
  private hash?: { key: string; hash: string };

  /**
   * @param id the policy's construct id and logical id prefix (`DeletionGrants`)
   * @param namePrefix the policy's name prefix (`cdk-backup-jobs-deletion`)
   */
  constructor(private readonly scope: Construct, private readonly role: iam.IRole, private readonly id = 'DeletionGrants', private readonly namePrefix = 'cdk-backup-jobs-deletion') {}

  /** Grants actions on resources for deletions; `dependent` (a job's resource) is deleted before the grant goes. */
  public grant(dependent: IConstruct, sid: string, actions: string[], arns: readonly string[], conditions?: iam.PolicyStatementProps['conditions']): void {
    const policy = this.policyOf();
    if (arns.includes('*')) {
      // An action without resource-level permissions is granted on `*` as such, once.
      if (!this.statements.has(sid)) {
        this.statements.set(sid, new Set(['*']));
        policy.addStatements(new iam.PolicyStatement({ sid, actions, resources: ['*'] }));
        acknowledgeOnce(policy, [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: `${actions.join(', ')} ${actions.length > 1 ? 'do' : 'does'} not support resource-level permissions` }]);
      }
    } else {
      let resources = this.statements.get(sid);
      if (!resources) this.statements.set(sid, resources = new Set());
      collectInto(resources, { sid, actions, conditions }, arns, (statement) => policy.addStatements(statement));
    }
    dependent.node.addDependency(policy);
  }

  /** The policy, made with the first grant. */
  public policyOf(): iam.Policy {
    if (this.policy) return this.policy;
    const id = Lazy.string({ produce: () => `${this.id}${this.contentHash()}` });
    const policy = new iam.Policy(this.scope, this.id, {
      roles: [this.role],
      policyName: Lazy.string({ produce: () => `${this.namePrefix}-${this.contentHash()}` }),
    });
    (policy.node.defaultChild as iam.CfnPolicy).overrideLogicalId(id);
    this.policy = policy;
    return policy;
  }

  /** A short hash of the policy's document as rendered (its grants, tokens as CloudFormation sees them). */
  private contentHash(): string {
    const key = [...this.statements.entries()].map(([sid, r]) => `${sid}:${r.size}`).join(',');
    if (this.hash?.key !== key) {
      const rendered = JSON.stringify(Stack.of(this.scope).resolve(this.policy!.document));
      this.hash = { key, hash: createHash('sha256').update(rendered).digest('hex').slice(0, 8).toUpperCase() };
    }
    return this.hash.hash;
  }
}
