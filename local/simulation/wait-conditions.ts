/**
 * A WaitCondition, as CloudFormation waits for it: until its handle has
 * `Count` SUCCESS signals of distinct UniqueIds (the Data attribute is
 * `{"<UniqueId>":"<Data>",...}`), a FAILURE signal, or its Timeout. While work
 * runs in the background (the poller), the simulated clock moves with it; with
 * none, it jumps to the timeout.
 */
import type { ResourceState } from './intrinsics';
import type { CloudFormationOptions } from './stack-operations';
import { CANCELLED } from './custom-resource-requests';
import { yieldToIo } from './virtual-clock';

export const WAIT_CONDITION = 'AWS::CloudFormation::WaitCondition';
export const WAIT_HANDLE = 'AWS::CloudFormation::WaitConditionHandle';

/** Waits for a WaitCondition; the failure reason, if any (`end` records its final status). */
export async function waitForCondition(
  options: CloudFormationOptions, state: ResourceState, end: (status: 'CREATE_COMPLETE' | 'CREATE_FAILED', reason?: string) => string | undefined,
): Promise<string | undefined> {
  const { aws, clock } = options;
  const logicalId = state.logicalId;
  const properties = state.properties as { Handle?: unknown; Timeout?: unknown; Count?: unknown };
  const timeout = Number(properties.Timeout);
  const count = properties.Count === undefined ? 1 : Number(properties.Count);
  if (typeof properties.Handle !== 'string' || !Number.isInteger(timeout) || timeout < 1 || timeout > 43_200 || !Number.isInteger(count) || count < 1) {
    return end('CREATE_FAILED', 'Properties validation failed: a WaitCondition needs Handle, a Timeout of 1 to 43200 seconds and a Count of at least 1');
  }
  const deadline = clock.now() + timeout * 1000;
  // A fault: the stack is cancelled (or a sibling fails) this long into the wait.
  const cancelAfterMs = options.faultsFor?.({ logicalId, requestType: 'Create', phase: 'deploy' })?.cancelAfterMs;
  const cancelAt = cancelAfterMs === undefined ? undefined : clock.now() + cancelAfterMs;
  for (;;) {
    if (cancelAt !== undefined && clock.now() >= cancelAt) return end('CREATE_FAILED', CANCELLED.Create);
    const signals = aws.signalsOf(properties.Handle);
    if (!signals) return end('CREATE_FAILED', `WaitCondition ${logicalId}: its handle is not a handle of this stack`);
    const failure = signals.find((s) => s.Status === 'FAILURE');
    if (failure) return end('CREATE_FAILED', `WaitCondition received failed message: '${failure.Reason}' for uniqueId: ${failure.UniqueId}`);
    const successes = new Map<string, string>();
    for (const s of signals) if (s.Status === 'SUCCESS' && !successes.has(s.UniqueId)) successes.set(s.UniqueId, s.Data);
    if (successes.size >= count) {
      state.attributes.Data = JSON.stringify(Object.fromEntries(successes));
      return end('CREATE_COMPLETE');
    }
    if (clock.now() >= deadline) return end('CREATE_FAILED', `WaitCondition timed out. Received ${successes.size} conditions when expecting ${count}`);
    if (aws.hasBackgroundWork()) await yieldToIo(1);
    else await clock.sleep(Math.min(deadline, cancelAt ?? deadline) - clock.now());
  }
}
