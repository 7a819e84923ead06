/**
 * The long-wait path's signal: the poller's last task hands it the job's end,
 * and it PUTs the WaitConditionHandle signal to the handle's presigned URL. The
 * URL is the handle's physical id, read from CloudFormation here and never
 * logged, so that it is in no property, execution input or log line. One
 * invocation per job, however long the job ran.
 */
import * as https from 'https';
import * as http from 'http';
import { SignalAnswer, signalOf, SignalRequest } from '../../lib/core/long-wait';
import { pollerKind } from '../../lib/core/long-wait-kinds';
import { log } from '../shared/log';
import { describeStackResource } from './cloudformation';

/**
 * Signals the job's end; answers whether the handle was gone (nothing waits
 * for the signal: the poller then hands the job to its Delete).
 */
export async function signal(request: SignalRequest): Promise<SignalAnswer> {
  const fields = { kind: request.Kind, jobId: request.JobId, outcome: request.Outcome, handle: request.HandleLogicalId };
  let handle;
  try {
    handle = await describeStackResource({ StackId: request.StackId, LogicalResourceId: request.HandleLogicalId });
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationError') {
      // The handle (or its stack) is gone: CloudFormation no longer waits for this job.
      log('warn', 'the job\'s WaitConditionHandle is gone; nothing waits for the signal', fields);
      return { Gone: true };
    }
    throw error;
  }
  if (!handle?.PhysicalResourceId || handle.ResourceStatus?.startsWith('DELETE')) {
    log('warn', 'the job\'s WaitConditionHandle is being deleted; nothing waits for the signal', { ...fields, status: handle?.ResourceStatus });
    return { Gone: true };
  }
  const kind = pollerKind(request.Kind);
  if (!kind) throw new Error(`no long wait of a ${request.Kind} job`);
  const body = JSON.stringify(signalOf(request, kind));
  log('info', 'signalling the end of the job to its WaitCondition', fields);
  await put(handle.PhysicalResourceId, body);
  return { Gone: false };
}

/** A PUT with no Content-Type, as the presigned URL of a WaitConditionHandle expects. */
function put(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const client = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = client.request(target, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => {
        if ((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300) resolve();
        // The URL itself is presigned: the error names the status only.
        else reject(new Error(`the WaitConditionHandle answered ${response.statusCode} to the signal`));
      });
    });
    request.on('timeout', () => request.destroy(new Error('the WaitConditionHandle did not answer the signal within 10 s')));
    request.on('error', reject);
    request.end(body);
  });
}
