namespace PromLake.Storage.Series;

/// <summary>
/// One float sample. <see cref="Value"/> is kept bit for bit: Prometheus's stale
/// marker is the NaN with payload 0x7ff0000000000002, and other NaN payloads,
/// -0.0 and the infinities are data too.
/// </summary>
/// <param name="Timestamp">Milliseconds since the Unix epoch.</param>
/// <param name="Value">The sample value.</param>
/// <param name="StartTimestamp">RW 2.0 <c>start_timestamp</c> (the counter's creation time) in milliseconds, 0 when unknown.</param>
public readonly record struct Sample(long Timestamp, double Value, long StartTimestamp = 0);
