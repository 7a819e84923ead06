/**
 * The Lambda call of a restore's validation, in a bundle of its own beside
 * the handlers' (scripts/bundle.mjs), loaded on first use: only a restore with
 * a validation pays for the Lambda SDK at cold start.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { decodeInvocation } from '../../shared/restore-validation';
import { bounded } from '../invocation';

let client: LambdaClient | undefined;

/** Invokes a function and waits for its answer, within the invocation's time: its payload, and whether the function failed. */
export async function invokeFunction(functionArn: string, payload: unknown): Promise<{ payload: unknown; functionError?: string }> {
  // One client per container, its calls bounded by the invocation (a slow function never holds up the answer).
  client ??= bounded(new LambdaClient({}));
  return decodeInvocation(await client.send(new InvokeCommand({ FunctionName: functionArn, Payload: new TextEncoder().encode(JSON.stringify(payload)) })));
}
