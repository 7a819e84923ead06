/**
 * The long-wait path's signal to a WaitConditionHandle: it reads the handle's
 * presigned URL from CloudFormation (the handle's physical id), what it sends
 * for each outcome, and that the presigned URL is never logged.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { signal } from '../../lambda/jobs';
import { SignalRequest } from '../../lib/core/long-wait';

const cloudFormation = mockClient(CloudFormationClient);
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Long/1';
const request = (outcome: SignalRequest['Outcome'], job: Record<string, unknown>): SignalRequest => ({
  Outcome: outcome, Kind: 'backup', JobId: 'job-1', StackId: STACK_ID, HandleLogicalId: 'SnapshotWaitHandleABC', Job: job,
});

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
  cloudFormation.reset();
  cloudFormation.on(DescribeStackResourceCommand, { StackName: STACK_ID, LogicalResourceId: 'SnapshotWaitHandleABC' }).resolves({
    StackResourceDetail: { LogicalResourceId: 'SnapshotWaitHandleABC', PhysicalResourceId: handle(), ResourceStatus: 'CREATE_COMPLETE', ResourceType: 'AWS::CloudFormation::WaitConditionHandle', LastUpdatedTimestamp: new Date() },
  });
  jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(line); });
});
afterEach(() => jest.restoreAllMocks());

const handle = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/handle?X-Amz-Signature=secret`;

test('COMPLETED: SUCCESS with the end state as data, PUT without a content type', async () => {
  await signal(request('COMPLETED', JOB));
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({ method: 'PUT', contentType: '' });
  expect(JSON.parse(received[0].body)).toEqual({
    Status: 'SUCCESS', UniqueId: 'job-1', Reason: 'Backup job job-1 ended COMPLETED', Data: 'COMPLETED',
  });
  expect(logs.join('\n')).not.toContain('X-Amz-Signature');
});

test('FAILED: FAILURE with AWS Backup\'s status message; TIMED_OUT says how far the job got', async () => {
  await signal(request('FAILED', { State: 'EXPIRED', StatusMessage: 'Backup job failed because there was a running job for the same resource.' }));
  await signal(request('TIMED_OUT', { State: 'RUNNING', PercentDone: '42.0' }));
  await signal(request('FAILED', { State: 'FAILED' }));
  await signal(request('FAILED', { State: 'PARTIAL', StatusMessage: 'Some items were skipped.' }));
  expect(received.map((r) => JSON.parse(r.body))).toEqual([
    expect.objectContaining({ Status: 'FAILURE', Reason: 'Backup job job-1 ended EXPIRED: Backup job failed because there was a running job for the same resource.' }),
    expect.objectContaining({ Status: 'FAILURE', Reason: 'Timed out waiting for backup job job-1 (still RUNNING, 42.0% done); raise timeout' }),
    expect.objectContaining({ Status: 'FAILURE', Reason: 'Backup job job-1 ended FAILED without a status message from AWS Backup' }),
    expect.objectContaining({ Status: 'FAILURE', Reason: 'Backup job job-1 ended PARTIAL: Some items were skipped. (set allowPartial to accept a partial backup)' }),
  ]);
});

test('a PARTIAL copy\'s FAILURE tells how to accept a partial copy (not a backup)', async () => {
  await signal({ ...request('FAILED', { CopyJobId: 'copy-1', State: 'PARTIAL', StatusMessage: 'Some members were not copied.' }), Kind: 'copy', JobId: 'copy-1' });
  expect(JSON.parse(received[0].body).Reason).toBe('Copy job copy-1 ended PARTIAL: Some members were not copied. (set allowPartial to accept a partial copy)');
});

test('TIMED_OUT quotes the job id as AWS Backup gave it, and names the jobs that still held a busy resource', async () => {
  const id = 'CC07C10E-2D19-4607-B6F7-E28F67F71995';
  await signal({ ...request('TIMED_OUT', { State: 'RUNNING', PercentDone: '10.0' }), JobId: id });
  await signal({
    ...request('TIMED_OUT', { State: 'EXPIRED', StatusMessage: 'Backup job expired because another backup job for the same resource was already in progress.' }),
    JobId: id,
    Attempts: { Holders: ['PLAN-JOB-1'] },
  });
  expect(received.map((r) => JSON.parse(r.body).Reason)).toEqual([
    `Timed out waiting for backup job ${id} (still RUNNING, 10.0% done); raise timeout`,
    `Timed out: backup job ${id} ended EXPIRED (Backup job expired because another backup job for the same resource was already in progress.), and backup job(s) PLAN-JOB-1 still held the resource, so no backup was taken; raise timeout`,
  ]);
});

test('a refused signal fails the task (Step Functions retries it), naming the status and not the URL', async () => {
  answer = 403;
  await expect(signal(request('COMPLETED', JOB))).rejects.toThrow('the WaitConditionHandle answered 403 to the signal');
  await expect(signal(request('COMPLETED', JOB))).rejects.not.toThrow(/Signature/);
});

test('a handle that is gone (or being deleted) gets no signal, and the task ends: nothing waits for it', async () => {
  cloudFormation.reset();
  cloudFormation.on(DescribeStackResourceCommand).rejectsOnce(Object.assign(new Error('Resource SnapshotWaitHandleABC does not exist for stack Long'), { name: 'ValidationError' }))
    .resolves({ StackResourceDetail: { LogicalResourceId: 'SnapshotWaitHandleABC', PhysicalResourceId: handle(), ResourceStatus: 'DELETE_COMPLETE', ResourceType: 'AWS::CloudFormation::WaitConditionHandle', LastUpdatedTimestamp: new Date() } });
  await signal(request('COMPLETED', JOB));
  await signal(request('COMPLETED', JOB));
  expect(received).toEqual([]);
  expect(logs.join('\n')).not.toContain('X-Amz-Signature');
});

test('CloudFormation not answering fails the task (Step Functions retries it)', async () => {
  cloudFormation.reset();
  cloudFormation.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
  await expect(signal(request('COMPLETED', JOB))).rejects.toThrow('Rate exceeded');
  expect(received).toEqual([]);
});
