/**
 * What every job that starts from a recovery point (a restore, a copy, a
 * scan) does with it alike: the grant's view of it, the wait for the job that
 * makes it, and the rule that such a job runs in the recovery point's Region.
 */
import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { RecoveryPoint } from '../recovery-point';
import type { RecoveryPointSource } from './recovery-point-arns';

/** A recovery point as the grants see it: its ARN, its resource's name, whether a BackupJob of the user's stack makes it. */
export function sourceOf(user: IConstruct, point: RecoveryPoint): RecoveryPointSource {
  return {
    arn: point.recoveryPointArn,
    sourceResourceName: point.sourceResourceName,
    madeInStack: point.backupJob !== undefined && Stack.of(point.backupJob) === Stack.of(user),
  };
}

/** Makes a job's resource wait for the jobs that make its recovery points: their custom resources complete only when the points exist. */
export function waitForMakers(resource: IConstruct, points: readonly RecoveryPoint[]): void {
  for (const point of points) {
    const maker = point.backupJob ?? point.copyJob;
    if (maker) resource.node.addDependency(maker);
  }
}

/** A job that starts from a recovery point runs in the point's Region: a stack in another Region is an error (`how` says what to do). */
export function regionErrors(user: IConstruct, point: RecoveryPoint, job: string, how = ''): string[] {
  const pointRegion = point.backupVault.env.region;
  const stackRegion = Stack.of(user).region;
  if (Token.isUnresolved(pointRegion) || Token.isUnresolved(stackRegion) || pointRegion === stackRegion) return [];
  return [`recoveryPoint is in ${pointRegion} (its vault's Region) and this stack in ${stackRegion}: a ${job} runs in the recovery point's Region${how}`];
}
