/**
 * The part of RDS and EC2 the stand-in plays: the DB instances, DB clusters
 * and EC2 instances the simulation creates, with their deletion protection
 * (RDS DeletionProtection, EC2 DisableApiTermination), which a removal guard
 * turns on when it could not back the resource up (ModifyDBInstance,
 * ModifyDBCluster, ModifyInstanceAttribute), and which refuses their deletion.
 */
import type { BackupAccount } from './account';
import type { ServedOperations } from './authorization';
import { ServiceError } from './errors';

/** What kind of resource: an RDS DB instance, an RDS DB cluster, an EC2 instance. */
export type InstanceKind = 'db' | 'cluster' | 'instance';

export class ProtectedInstances {
  private readonly instances = new Map<string, { protection: boolean }>();
  private readonly deleted = new Map<string, number>();

  /** The operations, each authorized on the resource's ARN. */
  public readonly operations: ServedOperations = {
    'rds:ModifyDBInstance': {
      serve: (input) => this.modify('db', input.DBInstanceIdentifier, input.DeletionProtection, 'DBInstanceNotFound'),
      iam: (input) => [{ action: 'rds:ModifyDBInstance', resource: this.arnOf('db', String(input.DBInstanceIdentifier)) }],
    },
    'rds:ModifyDBCluster': {
      serve: (input) => this.modify('cluster', input.DBClusterIdentifier, input.DeletionProtection, 'DBClusterNotFoundFault'),
      iam: (input) => [{ action: 'rds:ModifyDBCluster', resource: this.arnOf('cluster', String(input.DBClusterIdentifier)) }],
    },
    'ec2:ModifyInstanceAttribute': {
      serve: (input) => this.modify('instance', input.InstanceId, input['DisableApiTermination.Value'], 'InvalidInstanceID.NotFound'),
      iam: (input) => [{ action: 'ec2:ModifyInstanceAttribute', resource: this.arnOf('instance', String(input.InstanceId)) }],
    },
  };

  constructor(private readonly home: BackupAccount) {}

  /** A resource that exists (e.g. one the stack created), with deletion protection or not. */
  public create(kind: InstanceKind, id: string, protection = false): void {
    this.instances.set(`${kind}/${id}`, { protection });
    this.deleted.delete(`${kind}/${id}`);
  }

  /** Deletes a resource (CloudFormation deleting it); refused while protected. */
  public delete(kind: InstanceKind, id: string): void {
    const instance = this.instances.get(`${kind}/${id}`);
    if (instance?.protection) {
      throw new ServiceError('InvalidParameterCombination', kind === 'instance'
        ? `The instance '${id}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`
        : `Cannot delete protected ${kind === 'db' ? 'DB Instance' : 'Cluster'}, please disable deletion protection and try again.`);
    }
    this.instances.delete(`${kind}/${id}`);
    this.deleted.set(`${kind}/${id}`, this.home.now());
  }

  /** Whether a resource exists, and is protected. */
  public state(kind: InstanceKind, id: string): { exists: boolean; protection: boolean } {
    const instance = this.instances.get(`${kind}/${id}`);
    return { exists: !!instance, protection: !!instance?.protection };
  }

  /** Turns protection on or off, as the user does by hand. */
  public setProtection(kind: InstanceKind, id: string, protection: boolean): void {
    const instance = this.instances.get(`${kind}/${id}`);
    if (instance) instance.protection = protection;
  }

  private modify(kind: InstanceKind, id: unknown, protection: unknown, notFound: string): Record<string, unknown> {
    if (typeof id !== 'string' || id === '') throw new ServiceError('MissingParameter', 'The request must contain the resource\'s identifier');
    const instance = this.instances.get(`${kind}/${id}`);
    if (!instance) throw new ServiceError(notFound, `${id} not found`);
    if (protection !== undefined) {
      if (protection !== 'true' && protection !== 'false') throw new ServiceError('InvalidParameterValue', `Invalid boolean ${String(protection)}`);
      instance.protection = protection === 'true';
    }
    return { identifier: id, protection: instance.protection };
  }

  private arnOf(kind: InstanceKind, id: string): string {
    const { region, account } = this.home;
    return kind === 'instance' ? `arn:aws:ec2:${region}:${account}:instance/${id}` : `arn:aws:rds:${region}:${account}:${kind}:${id}`;
  }
}
