using PromLake.Query.Model;
using Prompb = PromLake.Protocol.Prompb;

namespace PromLake.Query.Store;

/// <summary>
/// The native histograms blocks and the log hold as received (the remote-write
/// <c>Histogram</c> message, the same fields in RW 1.0 and 2.0) turned into the engine's
/// <see cref="FloatHistogram"/>, as Prometheus's remote codec does: integer histograms carry
/// their bucket counts as deltas from the previous bucket (across spans), float histograms as
/// absolute counts.
/// </summary>
internal static class HistogramMessages
{
    /// <exception cref="Google.Protobuf.InvalidProtocolBufferException">The bytes are not a histogram message.</exception>
    public static FloatHistogram Decode(ReadOnlyMemory<byte> message)
    {
        var h = Prompb.Histogram.Parser.ParseFrom(message.Span);
        var integer = h.CountCase == Prompb.Histogram.CountOneofCase.CountInt;
        var result = new FloatHistogram
        {
            Schema = h.Schema,
            ZeroThreshold = h.ZeroThreshold,
            ZeroCount = integer ? h.ZeroCountInt : h.ZeroCountFloat,
            Count = integer ? h.CountInt : h.CountFloat,
            Sum = h.Sum,
            CounterResetHint = h.ResetHint switch
            {
                Prompb.Histogram.Types.ResetHint.Yes => CounterResetHint.CounterReset,
                Prompb.Histogram.Types.ResetHint.No => CounterResetHint.NotCounterReset,
                Prompb.Histogram.Types.ResetHint.Gauge => CounterResetHint.Gauge,
                _ => CounterResetHint.Unknown,
            },
            PositiveSpans = Spans(h.PositiveSpans),
            NegativeSpans = Spans(h.NegativeSpans),
            PositiveBuckets = integer ? Absolute(h.PositiveDeltas) : [.. h.PositiveCounts],
            NegativeBuckets = integer ? Absolute(h.NegativeDeltas) : [.. h.NegativeCounts],
            CustomValues = [.. h.CustomValues],
        };
        return result;
    }

    private static List<BucketSpan> Spans(IEnumerable<Prompb.BucketSpan> spans) =>
        [.. spans.Select(s => new BucketSpan(s.Offset, checked((int)s.Length)))];

    private static List<double> Absolute(IReadOnlyList<long> deltas)
    {
        var counts = new List<double>(deltas.Count);
        long running = 0;
        foreach (var delta in deltas)
        {
            running += delta;
            counts.Add(running);
        }

        return counts;
    }
}
