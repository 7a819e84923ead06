/**
 * CloudFormation's presigned URLs, served locally: the ResponseURL where a
 * custom resource's answer lands, and each WaitConditionHandle's URL where its
 * signals land (checked as the presigned URL checks them).
 */
import type * as http from 'http';
import type { VirtualClock } from './virtual-clock';

/** A response a custom resource handler sent to its ResponseURL. */
export interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
  /** Simulated time it arrived. */
  readonly receivedAt: number;
}

/** A signal to a WaitConditionHandle, as CloudFormation reads it. */
export interface WaitSignal {
  readonly Status: 'SUCCESS' | 'FAILURE';
  readonly UniqueId: string;
  readonly Data: string;
  readonly Reason: string;
  readonly receivedAt: number;
}

/** What a local endpoint answers. */
export interface LocalAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const PRESIGNED = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=simulated-presigned-signature';

export class PresignedUrls {
  /** The responses that landed, in order. */
  public readonly responses: CfnResponse[] = [];
  /** Every signal PUT to a handle URL, accepted or refused (for tests). */
  public readonly signalAttempts: { token: string; at: number; accepted: boolean; status: number }[] = [];
  private readonly responseWaiters = new Map<string, ((r: CfnResponse) => void)[]>();
  /** Each WaitConditionHandle's signals, by the token in its URL. */
  private readonly handles = new Map<string, WaitSignal[]>();

  constructor(private readonly clock: VirtualClock, private readonly endpoint: () => string) {}

  public reset(): void {
    this.handles.clear();
    this.signalAttempts.length = 0;
    this.responses.length = 0;
  }

  public responseUrl(requestId: string): string {
    return `${this.endpoint()}/cloudformation-response/${encodeURIComponent(requestId)}?${PRESIGNED}`;
  }

  /** The first response that lands for a request (at or after a moment). */
  public nextResponse(requestId: string, since = 0): Promise<CfnResponse> {
    const landed = this.responses.find((r) => r.RequestId === requestId && r.receivedAt >= since);
    if (landed) return Promise.resolve(landed);
    return new Promise((resolve) => this.responseWaiters.set(requestId, [...(this.responseWaiters.get(requestId) ?? []), resolve]));
  }

  /**
   * A WaitConditionHandle's presigned URL (its physical id): signals PUT to it
   * land in `signals` while the handle exists.
   */
  public waitHandleUrl(token: string): string {
    this.handles.set(token, []);
    return `${this.endpoint()}/cloudformation-signal/${token}?${PRESIGNED}`;
  }

  /** The signals a handle received (undefined for a handle that is gone). */
  public signalsOf(handleUrl: string): WaitSignal[] | undefined {
    return this.handles.get(handleToken(handleUrl));
  }

  /** A deleted handle: its URL refuses signals. */
  public deleteHandle(handleUrl: string): void {
    this.handles.delete(handleToken(handleUrl));
  }

  /** Serves a PUT to a presigned URL; undefined for a path that is not one. */
  public receive(pathname: string, req: http.IncomingMessage, body: string): LocalAnswer | undefined {
    const signal = /^\/cloudformation-signal\/([^/]+)$/.exec(pathname);
    if (signal) return this.receiveSignal(signal[1], req, body);
    const response = /^\/cloudformation-response\/([^/]+)$/.exec(pathname);
    if (!response) return undefined;
    const landed: CfnResponse = { ...JSON.parse(body), receivedAt: this.clock.now() };
    this.responses.push(landed);
    const waiters = this.responseWaiters.get(landed.RequestId) ?? [];
    this.responseWaiters.delete(landed.RequestId);
    waiters.forEach((w) => w(landed));
    return { status: 200, headers: {}, body: '' };
  }

  /**
   * A signal PUT to a handle's URL, checked as CloudFormation's presigned URL
   * does: no Content-Type (the signature covers an empty one), a JSON body
   * with Status SUCCESS or FAILURE and a UniqueId; a gone handle answers 404.
   */
  private receiveSignal(token: string, req: http.IncomingMessage, body: string): LocalAnswer {
    const answer = (status: number, message = '') => {
      this.signalAttempts.push({ token, at: this.clock.now(), accepted: status === 200, status });
      return { status, headers: {}, body: message };
    };
    const signals = this.handles.get(token);
    if (!signals) return answer(404, 'NoSuchKey');
    if (req.headers['content-type']) return answer(403, 'SignatureDoesNotMatch: the presigned URL was signed without a Content-Type');
    let parsed: Partial<WaitSignal>;
    try {
      parsed = JSON.parse(body);
    } catch {
      return answer(400, 'the signal is not JSON');
    }
    if ((parsed.Status !== 'SUCCESS' && parsed.Status !== 'FAILURE') || typeof parsed.UniqueId !== 'string' || parsed.UniqueId === '') {
      return answer(400, 'a signal needs Status (SUCCESS or FAILURE) and a UniqueId');
    }
    signals.push({ Status: parsed.Status, UniqueId: parsed.UniqueId, Data: String(parsed.Data ?? ''), Reason: String(parsed.Reason ?? ''), receivedAt: this.clock.now() });
    return answer(200);
  }
}

function handleToken(handleUrl: string): string {
  return new URL(handleUrl).pathname.split('/').pop() ?? '';
}
