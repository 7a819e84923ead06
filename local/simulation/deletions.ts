/**
 * The deletions of one stack operation: which failed, and, when CloudFormation
 * leaves what a failed resource depends on (`keep-dependencies`), which
 * resources are kept because of one.
 */
import { CfnTemplate, dependencies, dependsOnTransitively } from './assembly';
import type { AfterFailedDeletion } from './stack-operations';

export class Deletions {
  public readonly failures: { logicalId: string; reason: string }[] = [];
  private readonly deps: Map<string, Set<string>>;

  constructor(template: CfnTemplate | undefined, private readonly after: AfterFailedDeletion = 'delete-dependencies') {
    this.deps = dependencies(template);
  }

  public record(logicalId: string, failure: string | undefined): void {
    if (failure) this.failures.push({ logicalId, reason: failure });
  }

  /** The failed resource that keeps this one, if CloudFormation leaves the dependencies of failed deletions. */
  public kept(logicalId: string): string | undefined {
    if (this.after !== 'keep-dependencies') return undefined;
    return this.failures.find((f) => dependsOnTransitively(this.deps, f.logicalId).has(logicalId))?.logicalId;
  }
}
