using Google.Protobuf;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.Store;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.Query.Tests.Store;

/// <summary>Stored histogram messages become the engine's histograms as Prometheus's remote codec makes them.</summary>
public sealed class HistogramMessagesTests
{
    [Fact]
    public void An_integer_histogram_s_bucket_deltas_become_absolute_counts_across_spans()
    {
        var message = new V2.Histogram
        {
            CountInt = 9,
            Sum = 12.5,
            Schema = 1,
            ZeroThreshold = 1e-128,
            ZeroCountInt = 2,
            PositiveSpans = { new V2.BucketSpan { Offset = 0, Length = 2 }, new V2.BucketSpan { Offset = 3, Length = 1 } },
            PositiveDeltas = { 1, 2, -2 },
            NegativeSpans = { new V2.BucketSpan { Offset = -1, Length = 1 } },
            NegativeDeltas = { 3 },
            ResetHint = V2.Histogram.Types.ResetHint.No,
            Timestamp = 1000,
        };

        var h = HistogramMessages.Decode(message.ToByteArray());

        Assert.Equal((1, 1e-128, 2.0, 9.0, 12.5), (h.Schema, h.ZeroThreshold, h.ZeroCount, h.Count, h.Sum));
        Assert.Equal([new BucketSpan(0, 2), new BucketSpan(3, 1)], h.PositiveSpans);
        Assert.Equal([1.0, 3, 1], h.PositiveBuckets);
        Assert.Equal([new BucketSpan(-1, 1)], h.NegativeSpans);
        Assert.Equal([3.0], h.NegativeBuckets);
        Assert.Equal(CounterResetHint.NotCounterReset, h.CounterResetHint);
    }

    [Theory]
    [InlineData(V2.Histogram.Types.ResetHint.Unspecified, CounterResetHint.Unknown)]
    [InlineData(V2.Histogram.Types.ResetHint.Yes, CounterResetHint.CounterReset)]
    [InlineData(V2.Histogram.Types.ResetHint.Gauge, CounterResetHint.Gauge)]
    public void A_float_histogram_keeps_its_counts_and_custom_bounds(V2.Histogram.Types.ResetHint hint, CounterResetHint expected)
    {
        var message = new V2.Histogram
        {
            CountFloat = 6.5,
            Sum = 3,
            Schema = FloatHistogram.CustomBucketsSchema,
            PositiveSpans = { new V2.BucketSpan { Offset = 0, Length = 3 } },
            PositiveCounts = { 1.5, 4, 1 },
            CustomValues = { 0.1, 0.5 },
            ResetHint = hint,
        };

        var h = HistogramMessages.Decode(message.ToByteArray());

        Assert.Equal((6.5, 3.0), (h.Count, h.Sum));
        Assert.Equal([1.5, 4, 1], h.PositiveBuckets);
        Assert.Equal([0.1, 0.5], h.CustomValues);
        Assert.True(h.UsesCustomBuckets);
        Assert.Equal(expected, h.CounterResetHint);
    }

    [Fact]
    public void A_stale_histogram_keeps_the_stale_marker_in_its_sum()
    {
        var message = new V2.Histogram { CountInt = 0, Sum = StaleMarker.Value };

        Assert.True(StaleMarker.IsStale(HistogramMessages.Decode(message.ToByteArray()).Sum));
    }
}
