/**
 * Every AWS call of a handler ends by its invocation's end: a slow or
 * throttled answer can never outlast the Lambda, so the handler always answers.
 */
import { ANSWER_RESERVE_MS } from '../../lib/core/timing';
import { bounded, deleteBudgetMs, remainingMs, withinInvocation } from '../../lambda/jobs/invocation';

/** A client whose calls never end unless aborted. */
function hangingClient() {
  const signals: (AbortSignal | undefined)[] = [];
  return {
    signals,
    send(_command: unknown, options?: { abortSignal?: AbortSignal }): Promise<never> {
      signals.push(options?.abortSignal);
      return new Promise((_resolve, reject) => {
        options?.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      });
    },
  };
}

test('a call that would outlast the invocation is aborted at its end, less the reserve to answer', async () => {
  const client = hangingClient();
  const timeouts = jest.spyOn(AbortSignal, 'timeout');
  await expect(withinInvocation({ getRemainingTimeInMillis: () => ANSWER_RESERVE_MS + 300 }, () => bounded(client).send({}))).rejects.toMatchObject({ name: 'AbortError' });
  // The call's bound is what is left of the invocation less the reserve to answer (never more).
  expect(timeouts).toHaveBeenCalledTimes(1);
  const [bound] = timeouts.mock.calls[0];
  expect(bound).toBeGreaterThan(0);
  expect(bound).toBeLessThanOrEqual(300);
  expect(client.signals[0]?.aborted).toBe(true);
  timeouts.mockRestore();
});

test('outside an invocation (the CLI), a call is not bounded', async () => {
  const client = { send: jest.fn(async (_command: unknown, options?: { abortSignal?: AbortSignal }) => options) };
  await expect(bounded(client).send({})).resolves.toBeUndefined();
});

test('with no time left, no call is sent at all', async () => {
  const client = hangingClient();
  await expect(withinInvocation({ getRemainingTimeInMillis: () => ANSWER_RESERVE_MS - 1 }, () => bounded(client).send({}))).rejects.toThrow('no time is left in this invocation for another AWS call');
  expect(client.signals).toEqual([]);
});

test('the clean-up budget of a Delete never passes the invocation\'s end', async () => {
  await withinInvocation({ getRemainingTimeInMillis: () => ANSWER_RESERVE_MS + 10_000 }, async () => {
    expect(deleteBudgetMs()).toBeLessThanOrEqual(10_000);
    expect(remainingMs()).toBeLessThanOrEqual(10_000);
  });
  await withinInvocation({ getRemainingTimeInMillis: () => 10 * 60_000 }, async () => {
    expect(deleteBudgetMs()).toBe(40_000);
  });
});

test('invocations side by side keep their own ends', async () => {
  const seen: Record<string, number> = {};
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  await Promise.all([
    withinInvocation({ getRemainingTimeInMillis: () => ANSWER_RESERVE_MS + 1_000 }, async () => { await gate; seen.short = remainingMs(); }),
    withinInvocation({ getRemainingTimeInMillis: () => ANSWER_RESERVE_MS + 50_000 }, async () => { seen.long = remainingMs(); release(); }),
  ]);
  expect(seen.short).toBeLessThanOrEqual(1_000);
  expect(seen.long).toBeGreaterThan(1_000);
  expect(seen.long).toBeLessThanOrEqual(50_000);
});
