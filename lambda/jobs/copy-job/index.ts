/**
 * The copy kind: StartCopyJob of a recovery point into a destination vault of
 * another Region or account. AWS Backup cannot stop a copy; the copy lives in
 * its destination's Region, where DESTROY deletes it. The rest of a copy's life
 * is the lifecycle engine's (job-lifecycle.ts).
 */
import { parseArn, parseVaultArn } from '../../../lib/core/arns';
import { COPY_JOB, CopyJobAttributes, CopyJobSpec, parseCopyJobProperties } from '../../../lib/core/copy-job-contract';
import { destroyAcrossAccountsErrors } from '../../../lib/core/copy-job-rules';
import { idempotencyToken } from '../../../lib/core/properties';
import { deleteRecoveryPoint } from '../../shared/aws-backup';
import { COPY_JOBS, CopyJobDescription, listCopiesSince, startCopyJob } from '../../shared/copy-jobs';
import { copyRefusals } from '../../shared/copy-prechecks';
import { naming } from '../../shared/errors';
import { log } from '../../shared/log';
import { backupClient as client, backupClientIn } from '../invocation';
import type { JobKind } from '../job-kind';

/** What a copy's properties tell of its jobs. */
function known(spec: CopyJobSpec) {
  return { SourceRecoveryPointArn: spec.start.RecoveryPointArn, DestinationBackupVaultArn: spec.start.DestinationBackupVaultArn, ResourceType: spec.resourceType };
}

export const COPY_JOB_KIND: JobKind<CopyJobSpec, CopyJobDescription, CopyJobAttributes> = {
  contract: COPY_JOB,
  reader: COPY_JOBS,
  parse: parseCopyJobProperties,
  async start(event, spec) {
    // DESTROY of a copy into another account: refused before any copy starts (at synth where the stack's account was known).
    const account = parseArn(event.StackId)?.account;
    const destination = parseVaultArn(spec.start.DestinationBackupVaultArn);
    const [refused] = spec.destroyOnDelete && account && destination ? destroyAcrossAccountsErrors(destination.account, account, 'RemovalPolicy') : [];
    if (refused) throw new Error(`${refused}. No copy was started`);
    // What AWS Backup would refuse or fail later, refused now with its rule.
    const { refusals, unchecked } = await copyRefusals(client(), spec.start, account);
    if (refusals.length > 0) throw new Error(`${refusals.join('; ')}. No copy was started`);
    for (const what of unchecked) log('warn', `could not check ${what} before the copy; AWS Backup judges it`, { recoveryPointArn: spec.start.RecoveryPointArn });
    // The same token for every invocation of one request: a retried request finds its copy.
    const copyJobId = await naming('StartCopyJob', () => startCopyJob(client(), { ...spec.start, IdempotencyToken: idempotencyToken(event, 'copy') }));
    return { jobId: copyJobId, known: { ...known(spec), CopyJobId: copyJobId, State: 'CREATED' } };
  },
  known: (jobId, made, spec) => ({ ...known(spec), CopyJobId: jobId, DestinationRecoveryPointArn: made }),
  // This resource's copies: its recovery point into its destination, with its role.
  owns: (job, spec) => job.SourceRecoveryPointArn === spec.start.RecoveryPointArn
    && job.DestinationBackupVaultArn === spec.start.DestinationBackupVaultArn
    && (job.IamRoleArn === undefined || job.IamRoleArn === spec.start.IamRoleArn),
  listSince: (spec, createdAfter) => listCopiesSince(client(), spec.start.RecoveryPointArn, createdAfter),
  unstoppable: () => 'AWS Backup cannot stop a copy job, so it goes on',
  made: 'the copy',
  // In the destination's Region, from its vault: a recovery point elsewhere is not this resource's to delete.
  destroy: (spec, copyArn) => deleteRecoveryPoint(backupClientIn(parseArn(copyArn)?.region), parseVaultArn(spec.start.DestinationBackupVaultArn)!.name, copyArn),
};
