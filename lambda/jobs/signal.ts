/**
 * The long-wait path's signal: the poller's last task hands it the job's end,
 * and it PUTs the WaitConditionHandle signal to the handle's presigned URL
 * (never logged). One invocation per job, however long the job ran.
 */
import * as https from 'https';
import * as http from 'http';
import { signalOf, SignalRequest } from '../../lib/core/long-wait';
import { log } from '../../lib/core/log';

export async function signal(request: SignalRequest): Promise<void> {
  const body = JSON.stringify(signalOf(request));
  log('info', 'signalling the end of the backup job to its WaitCondition', { backupJobId: request.BackupJobId, outcome: request.Outcome });
  await put(request.HandleUrl, body);
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
