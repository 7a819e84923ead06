/**
 * The deletion protection of RDS DB instances, Aurora clusters and EC2
 * instances (their SDK clients), loaded only when a guard of one needs it:
 * the handlers' cold start does not pay for them. Built as a bundle of its own,
 * it shares no module with the handlers' bundle: the caller passes what
 * bounds each call by its invocation.
 */
import { EC2Client, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { ModifyDBClusterCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';

/** Bounds a client's calls by the invocation (the handlers' `bounded`). */
export type Bound = <C extends { send(command: any, options?: any): Promise<any> }>(client: C) => C;

let rds: RDSClient | undefined;
let ec2: EC2Client | undefined;

const options = { maxAttempts: 5, requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 } };

export function protectDbInstance(id: string, bound: Bound): Promise<unknown> {
  rds ??= bound(new RDSClient(options));
  return rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, DeletionProtection: true, ApplyImmediately: true }));
}

export function protectDbCluster(id: string, bound: Bound): Promise<unknown> {
  rds ??= bound(new RDSClient(options));
  return rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: id, DeletionProtection: true, ApplyImmediately: true }));
}

export function protectEc2Instance(id: string, bound: Bound): Promise<unknown> {
  ec2 ??= bound(new EC2Client(options));
  return ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: true } }));
}
