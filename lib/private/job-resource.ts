/**
 * What every job construct (BackupJob, RestoreJob, CopyJob) does with its
 * custom resource, written once: the removal policy's check, the properties
 * that say how the job is waited for and cleaned up, the long wait when the
 * timeout asks for one (its WaitCondition gates what depends on the job), and
 * the attributes, read from the result resource on the long path so that every
 * use of one waits for the job.
 */
import { Aws, CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { JobContract, WaitProperties } from '../core/properties';
import { SHORT_PATH_MAX_SECONDS, usesLongWait } from '../core/timing';
import { known } from './durations';
import { LongWait } from './long-wait';
import type { JobProvider, JobResource } from './provider';

/** The problem with a job's removal policy, if any: only RETAIN and DESTROY mean something for what a job made. */
export function removalPolicyErrors(removalPolicy: RemovalPolicy): string[] {
  return removalPolicy === RemovalPolicy.RETAIN || removalPolicy === RemovalPolicy.DESTROY
    ? []
    : [`removalPolicy (${removalPolicy}) must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY`];
}

/** The properties that say how a job is waited for and cleaned up, as every kind renders them (defaults left out). */
export function waitProperties(props: { readonly waitForCompletion?: boolean; readonly allowPartial?: boolean }, timeoutSeconds: number, removalPolicy: RemovalPolicy | undefined): WaitProperties {
  return {
    WaitForCompletion: props.waitForCompletion === false ? false : undefined,
    TimeoutSeconds: timeoutSeconds,
    AllowPartial: props.allowPartial ? true : undefined,
    RemovalPolicy: removalPolicy === RemovalPolicy.DESTROY ? 'destroy' : undefined,
  };
}

/** A job's custom resource, and its attributes as what depends on the job must read them. */
export interface RenderedJob<A extends object> {
  /** The job's custom resource (on the long path, it starts the job and answers at once). */
  readonly resource: JobResource<A>;
  /** An attribute of the job: on the long path from the result resource, made once the job's WaitCondition completed. */
  attribute(name: keyof A & string): string;
}

/**
 * Renders a job's custom resource in `scope` (its id `Resource`). Past the
 * short path's 58 minutes, the job's WaitCondition waits: a new one for each
 * new job or timeout (its identity: the properties, but the removal policy).
 */
export function renderJob<P extends WaitProperties, A extends object>(
  scope: Construct, provider: JobProvider, contract: JobContract<P, A>, properties: P, options: { readonly judged?: boolean } = {},
): RenderedJob<A> {
  const timeoutSeconds = properties.TimeoutSeconds;
  const longWait = usesLongWait(known(timeoutSeconds), properties.WaitForCompletion !== false)
    ? LongWait.prepare(scope, contract, provider, timeoutSeconds, () => ({ ...properties, RemovalPolicy: undefined }))
    : undefined;
  const jobProperties = { ...properties, LongWait: longWait?.properties };
  const resource = provider.jobResource(scope, contract, timeoutSeconds, jobProperties);
  // A cleanup Delete under DESTROY reads the new template first: an update that turned DESTROY off keeps the old job's.
  if (properties.RemovalPolicy === 'destroy') provider.grantForDeletion(resource, 'ReadTemplateToCleanUp', ['cloudformation:GetTemplate'], [Aws.STACK_ID]);
  // The result resource carries the job's properties: its Delete cleans up after the job (DESTROY) once it knows what the job made.
  longWait?.gate(resource, {
    JobId: resource.attribute(contract.idAttribute),
    JobLogicalId: (resource.node.defaultChild as CfnResource).logicalId,
    AllowPartial: properties.AllowPartial,
    Job: jobProperties,
  // A job judged once it completed (a restore's validation): the result waits for the judgement, within the short path's time.
  }, options.judged ? SHORT_PATH_MAX_SECONDS : undefined);
  return { resource, attribute: (name) => (longWait ? longWait.attribute(name) : resource.attribute(name)) };
}
