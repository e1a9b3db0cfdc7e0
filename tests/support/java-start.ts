/**
 * How long tests give DynamoDB Local (Java) to answer after it starts: a bound, not a measure, and
 * generous, as Java starts slowly on a busy machine. Test timeouts around a start allow for it.
 */
export const JAVA_READY_TIMEOUT_MS = 90_000;
