/**
 * The long-wait path's signal to a WaitConditionHandle: what it sends for each
 * outcome, how CloudFormation's Fn::Split takes the attributes back out of the
 * WaitCondition's Data, and that the presigned URL is never logged.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { signal } from '../../lambda/jobs';
import { LONG_WAIT_ATTRIBUTES, LONG_WAIT_SEPARATOR, longWaitData } from '../../lib/core/long-wait';

const JOB = {
  BackupJobId: 'job-1', State: 'COMPLETED', BackupSizeInBytes: 5242880, CreationDate: '2026-12-01T00:00:00.000Z',
  CompletionDate: '2026-12-01T08:00:10.000Z', RecoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:ABC',
};

let server: http.Server;
let received: { method?: string; contentType?: string; body: string }[];
let answer = 200;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ method: req.method, contentType: req.headers['content-type'], body });
      res.statusCode = answer;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let logs: string[];
beforeEach(() => {
  received = [];
  answer = 200;
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(line); });
});
afterEach(() => jest.restoreAllMocks());

const handle = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/handle?X-Amz-Signature=secret`;

test('COMPLETED: SUCCESS with the attributes as data, PUT without a content type', async () => {
  await signal({ Outcome: 'COMPLETED', HandleUrl: handle(), BackupJobId: 'job-1', Job: JOB });
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({ method: 'PUT', contentType: '' });
  expect(JSON.parse(received[0].body)).toEqual({
    Status: 'SUCCESS', UniqueId: 'job-1', Reason: 'Backup job job-1 ended COMPLETED', Data: longWaitData(JOB),
  });
  expect(logs.join('\n')).not.toContain('X-Amz-Signature');
});

test('FAILED: FAILURE with AWS Backup\'s status message; TIMED_OUT says how far the job got', async () => {
  await signal({ Outcome: 'FAILED', HandleUrl: handle(), BackupJobId: 'job-1', Job: { State: 'EXPIRED', StatusMessage: 'Backup job failed because there was a running job for the same resource.' } });
  await signal({ Outcome: 'TIMED_OUT', HandleUrl: handle(), BackupJobId: 'job-1', Job: { State: 'RUNNING', PercentDone: '42.0' } });
  await signal({ Outcome: 'FAILED', HandleUrl: handle(), BackupJobId: 'job-1', Job: { State: 'FAILED' } });
  expect(received.map((r) => JSON.parse(r.body))).toEqual([
    expect.objectContaining({ Status: 'FAILURE', Reason: 'Backup job job-1 ended EXPIRED: Backup job failed because there was a running job for the same resource.' }),
    expect.objectContaining({ Status: 'FAILURE', Reason: 'Timed out waiting for backup job job-1 (still RUNNING, 42.0% done); raise timeout' }),
    expect.objectContaining({ Status: 'FAILURE', Reason: 'Backup job job-1 ended FAILED without a status message from AWS Backup' }),
  ]);
});

test('a refused signal fails the task (Step Functions retries it), naming the status and not the URL', async () => {
  answer = 403;
  await expect(signal({ Outcome: 'COMPLETED', HandleUrl: handle(), BackupJobId: 'job-1', Job: JOB })).rejects.toThrow('the WaitConditionHandle answered 403 to the signal');
  await expect(signal({ Outcome: 'COMPLETED', HandleUrl: handle(), BackupJobId: 'job-1', Job: JOB })).rejects.not.toThrow(/Signature/);
});

test('Fn::Split of the WaitCondition\'s Data at the separator gives each attribute back at its index + 1, whatever the values hold', () => {
  const awkward = { ...JOB, State: 'COMP|LETED', RecoveryPointArn: 'arn:"quoted"\\' };
  for (const job of [JOB, awkward, {}]) {
    // CloudFormation's Data attribute: a JSON object of each signal's UniqueId and data.
    const data = JSON.stringify({ 'job-1': longWaitData(job) });
    const parts = data.split(LONG_WAIT_SEPARATOR);
    expect(parts).toHaveLength(LONG_WAIT_ATTRIBUTES.length + 2);
    LONG_WAIT_ATTRIBUTES.forEach((name, i) => {
      expect(parts[i + 1]).toBe(String((job as Record<string, unknown>)[name] ?? '').replace(/[|"\\]/g, ''));
    });
  }
});
