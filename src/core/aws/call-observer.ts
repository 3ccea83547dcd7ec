/**
 * Who wants to count DynamoDB calls (the feature server's /metrics): told of each request sent and each
 * retry taken, throttling apart. The senders call it; nothing else depends on it.
 */
export interface DynamoCallObserver {
  /** One HTTP request to DynamoDB (every attempt counts). */
  request(operation: string): void;
  /** An attempt failed and will be retried; `throttled` when DynamoDB asked to slow down. */
  retry(operation: string, throttled: boolean): void;
}
