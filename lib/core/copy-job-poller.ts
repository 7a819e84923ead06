/**
 * The copy job kind's branch of the long-wait poller: how it describes a copy
 * job (DescribeCopyJob answers with the job under `CopyJob`) and the ends that
 * fail the wait. Registered in long-wait-kinds.ts.
 */
import type { PollerKind } from './long-wait';

export const COPY_POLLER: PollerKind = {
  name: 'copy',
  describe: 'DescribeCopyJob',
  idMember: 'CopyJobId',
  resultMember: 'CopyJob',
  stateMember: 'State',
  failing: ['PARTIAL', 'FAILED'],
  noun: 'Copy job',
};
