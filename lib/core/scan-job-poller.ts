/**
 * The scan job kind's branch of the long-wait poller: how it describes a scan
 * job, the ends that complete it (COMPLETED, and COMPLETED_WITH_ISSUES: what
 * could be scanned was), the ends that fail it, and the result that fails it
 * although the scan completed (THREATS_FOUND). Registered in long-wait-kinds.ts.
 */
import type { PollerKind } from './long-wait';

export const SCAN_POLLER: PollerKind = {
  name: 'scan',
  describe: 'DescribeScanJob',
  idMember: 'ScanJobId',
  stateMember: 'State',
  completing: ['COMPLETED', 'COMPLETED_WITH_ISSUES'],
  failing: ['FAILED', 'CANCELED'],
  failingResult: { path: 'ScanResult.ScanResultStatus', values: ['THREATS_FOUND'], reason: 'GuardDuty found threats in the recovery point (its findings are in GuardDuty); the deploy does not go on' },
  noun: 'Scan job',
};
