namespace PromLake.Storage.Series;

/// <summary>
/// One native histogram sample: the RW 2.0 <c>Histogram</c> message as it was
/// received (integer or float counts, spans, deltas, custom buckets), so nothing
/// of it is lost or reinterpreted on the way to storage.
/// </summary>
/// <param name="Timestamp">Milliseconds since the Unix epoch (the message's field 15).</param>
/// <param name="Message">The serialized <c>io.prometheus.write.v2.Histogram</c>.</param>
public readonly record struct HistogramSample(long Timestamp, ReadOnlyMemory<byte> Message);
