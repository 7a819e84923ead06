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

  /** Deletes these resources as CloudFormation does: dependents first, independent ones at the same time. */
  public run(ids: readonly string[], deleteOne: (id: string) => Promise<void>): Promise<void> {
    return inDependencyOrder(ids, this.deps, deleteOne);
  }

  /** The failed resource that keeps this one, if CloudFormation leaves the dependencies of failed deletions. */
  public kept(logicalId: string): string | undefined {
    if (this.after !== 'keep-dependencies') return undefined;
    return this.failures.find((f) => dependsOnTransitively(this.deps, f.logicalId).has(logicalId))?.logicalId;
  }
}

/**
 * Runs deletions as CloudFormation does: a resource is deleted once every
 * resource of the set that depends on it (directly or not) is done with;
 * independent resources are deleted at the same time. `ids` in a dependency
 * order (dependents first): a dependency cycle, which CloudFormation refuses
 * anyway, falls back to it.
 */
export async function inDependencyOrder(ids: readonly string[], deps: Map<string, Set<string>>, deleteOne: (id: string) => Promise<void>): Promise<void> {
  const waitsFor = new Map(ids.map((id) => [id, ids.filter((other) => other !== id && dependsOnTransitively(deps, other).has(id))]));
  const done = new Set<string>();
  const running = new Map<string, Promise<string>>();
  while (done.size < ids.length) {
    for (const id of ids) {
      if (!done.has(id) && !running.has(id) && waitsFor.get(id)!.every((d) => done.has(d))) running.set(id, deleteOne(id).then(() => id));
    }
    if (running.size === 0) {
      for (const id of ids.filter((i) => !done.has(i))) {
        await deleteOne(id);
        done.add(id);
      }
      return;
    }
    const finished = await Promise.race(running.values());
    running.delete(finished);
    done.add(finished);
  }
}
