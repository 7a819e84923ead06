/**
 * The physical resource ids of the job resources, one format for every kind:
 *
 *   <kind>-job/<jobId>/<fingerprint>/<tail>
 *
 * It carries what a later request needs without asking AWS: the job id (to
 * stop it), the fingerprint of the properties that took it (to tell a rollback
 * to these properties from a change), and what the job made once known (the
 * tail, to delete it, and to answer with it even after AWS Backup has forgotten
 * the job): a backup's recovery point ARN, a restore's created resource ARN.
 */

export interface PhysicalId {
  /** The kind's prefix: `backup-job`, `restore-job`, `copy-job`. */
  readonly prefix: string;
  readonly jobId: string;
  readonly fingerprint: string;
  /** What the job made (empty until known). */
  readonly tail: string;
}

export function formatPhysicalId(id: PhysicalId): string {
  return `${id.prefix}/${id.jobId}/${id.fingerprint}/${id.tail}`;
}

/** Reads a physical id; undefined for an id this handler did not make (e.g. the framework's CREATE_FAILED marker). */
export function parsePhysicalId(physicalId: string | undefined): PhysicalId | undefined {
  if (!physicalId) return undefined;
  const parts = physicalId.split('/');
  if (parts.length < 4 || !/^[a-z]+-job$/.test(parts[0]) || !parts[1] || !parts[2]) return undefined;
  return { prefix: parts[0], jobId: parts[1], fingerprint: parts[2], tail: parts.slice(3).join('/') };
}

/** The physical id of a job with this prefix, or undefined. */
export function physicalIdOf(prefix: string, physicalId: string | undefined): PhysicalId | undefined {
  const id = parsePhysicalId(physicalId);
  return id?.prefix === prefix ? id : undefined;
}
