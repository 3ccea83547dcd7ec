/**
 * The feature server's Prometheus metrics, in the text exposition format (version 0.0.4): requests and
 * latency per endpoint, requests in flight, the DynamoDB requests, retries and throttles behind them
 * (reads and writes alike), and the definitions refreshes. Small enough to keep here rather than add a metrics library to the request path.
 */
import type { DynamoCallObserver } from '../aws/call-observer.js';

/** Seconds; from a cached read (~1 ms) to a slow one near the request timeout. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class ServeMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly dynamoRequests = new Map<string, number>();
  private readonly dynamoRetries = new Map<string, number>();
  private readonly dynamoThrottles = new Map<string, number>();
  private readonly refreshes = new Map<string, number>();
  /** Whether the last definitions refresh failed (the server still answers with the previous ones). */
  private definitionsStale = false;
  inFlight = 0;

  /** Pass to FeatureStore.open({ observer }) so DynamoDB calls are counted. */
  readonly dynamo: DynamoCallObserver = {
    request: (op) => bump(this.dynamoRequests, op),
    retry: (op, throttled) => {
      bump(this.dynamoRetries, op);
      if (throttled) bump(this.dynamoThrottles, op);
    },
  };

  /** One definitions refresh (definitions-refresh.ts): nothing changed, reloaded, or failed. */
  definitionsRefreshed(result: 'unchanged' | 'reloaded' | 'failed'): void {
    bump(this.refreshes, result);
    this.definitionsStale = result === 'failed';
  }

  /** One finished request; `endpoint` is a known route or `other`, so labels stay few. */
  observe(endpoint: string, status: number, seconds: number): void {
    bump(this.requests, `${endpoint}\u0000${status}`);
    let h = this.latency.get(endpoint);
    if (h === undefined) {
      h = { counts: new Array<number>(BUCKETS.length).fill(0), sum: 0, count: 0 };
      this.latency.set(endpoint, h);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= (BUCKETS[i] as number)) h.counts[i] = (h.counts[i] as number) + 1;
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP dynafeast_serve_requests_total HTTP requests answered, by endpoint and status.', '# TYPE dynafeast_serve_requests_total counter');
    for (const [key, n] of this.requests) {
      const [endpoint = '', status = ''] = key.split('\u0000');
      out.push(`dynafeast_serve_requests_total{endpoint="${label(endpoint)}",status="${status}"} ${n}`);
    }
    out.push(
      '# HELP dynafeast_serve_request_duration_seconds Time from request to response, by endpoint.',
      '# TYPE dynafeast_serve_request_duration_seconds histogram',
    );
    for (const [endpoint, h] of this.latency) {
      const e = label(endpoint);
      BUCKETS.forEach((b, i) => out.push(`dynafeast_serve_request_duration_seconds_bucket{endpoint="${e}",le="${b}"} ${h.counts[i] ?? 0}`));
      out.push(`dynafeast_serve_request_duration_seconds_bucket{endpoint="${e}",le="+Inf"} ${h.count}`);
      out.push(`dynafeast_serve_request_duration_seconds_sum{endpoint="${e}"} ${h.sum}`);
      out.push(`dynafeast_serve_request_duration_seconds_count{endpoint="${e}"} ${h.count}`);
    }
    out.push(
      '# HELP dynafeast_serve_in_flight Requests being handled now.',
      '# TYPE dynafeast_serve_in_flight gauge',
      `dynafeast_serve_in_flight ${this.inFlight}`,
    );
    counter(out, 'dynafeast_dynamodb_requests_total', 'DynamoDB HTTP requests sent (every attempt).', this.dynamoRequests);
    counter(out, 'dynafeast_dynamodb_retries_total', 'DynamoDB requests retried after a failure.', this.dynamoRetries);
    counter(out, 'dynafeast_dynamodb_throttles_total', 'DynamoDB requests throttled (then retried).', this.dynamoThrottles);
    out.push(
      '# HELP dynafeast_serve_definitions_refreshes_total Definitions refreshes, by result.',
      '# TYPE dynafeast_serve_definitions_refreshes_total counter',
    );
    for (const [result, n] of this.refreshes) out.push(`dynafeast_serve_definitions_refreshes_total{result="${result}"} ${n}`);
    out.push(
      '# HELP dynafeast_serve_definitions_stale 1 while the last definitions refresh failed (the previous definitions are served).',
      '# TYPE dynafeast_serve_definitions_stale gauge',
      `dynafeast_serve_definitions_stale ${this.definitionsStale ? 1 : 0}`,
    );
    out.push(
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
    );
    return `${out.join('\n')}\n`;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function counter(out: string[], name: string, help: string, map: Map<string, number>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
  for (const [op, n] of map) out.push(`${name}{operation="${label(op)}"} ${n}`);
}
