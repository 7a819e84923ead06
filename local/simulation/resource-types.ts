/**
 * How the simulated CloudFormation treats each resource type: which are
 * custom resources whose requests go to their ServiceToken's function, which
 * it cannot update, and what deleting a recorded resource does in the
 * simulated services.
 */
import type { CfnResource } from './assembly';
import type { ResourceState } from './intrinsics';
import type { CloudFormationOptions } from './stack-operations';
import { WAIT_CONDITION, WAIT_HANDLE } from './wait-conditions';

/** Types whose properties CloudFormation cannot update (a change needs a new logical id). */
export const NOT_UPDATABLE = new Set([WAIT_CONDITION, WAIT_HANDLE]);

/**
 * Custom resources the simulation plays itself rather than running their
 * handler (aws-cdk's own, which needs SDK clients the simulation does not
 * serve): a bucket's autoDeleteObjects empties the bucket on its Delete, and
 * a replaced bucket's in the cleanup phase (its handler answers the Update with
 * a new physical id, so CloudFormation deletes the old one).
 */
const PLAYED = new Set(['Custom::S3AutoDeleteObjects']);

/** A custom resource whose requests go to its ServiceToken's function. */
export function isCustomResource(resource: CfnResource): boolean {
  return (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') && !PLAYED.has(resource.Type);
}

/**
 * Deletes a resource the simulation records, in the simulated services (a
 * table or a DB instance refuses while protected; a played auto-delete
 * resource empties its bucket). The reason it failed, if it did.
 */
export function deleteRecorded(state: ResourceState, resource: CfnResource, options: CloudFormationOptions): string | undefined {
  return options.onResourceDeleted?.(resource.Type, state.physicalId, state.properties);
}
