/**
 * The restore job kind's branch of the long-wait poller: how it describes a
 * restore job and the ends that fail the wait. Registered in long-wait-kinds.ts.
 */
import type { PollerKind } from './long-wait';

export const RESTORE_POLLER: PollerKind = {
  name: 'restore',
  describe: 'DescribeRestoreJob',
  idMember: 'RestoreJobId',
  stateMember: 'Status',
  failing: ['FAILED', 'ABORTED'],
  noun: 'Restore job',
};
