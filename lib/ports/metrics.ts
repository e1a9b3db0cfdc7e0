/** Counts of things worth an alarm (a failover to the second SMS provider); CloudWatch in AWS. */
export interface Metrics {
  count(name: string, dimensions?: Record<string, string>): void;
}
