/** Names the handler's metrics go out under and the stack's alarms and dashboard read. */

/** CloudWatch namespace the handler's Powertools Metrics write to (POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = 'GenesysPacing';
/** Powertools service name; Powertools Metrics adds it as the `service` dimension on every metric. */
export const SERVICE_NAME = 'pacing-controller';
/** Metric the handler emits once per completed tick (value 1, unit Count, dimension service only). */
export const TICKS_METRIC_NAME = 'Ticks';
