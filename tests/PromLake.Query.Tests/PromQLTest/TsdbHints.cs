using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.Storage;

namespace PromLake.Query.Tests.PromQLTest;

/// <summary>
/// The counter reset hints Prometheus's TSDB returns for loaded histograms, which upstream's test scripts
/// see. The head cuts a new histogram chunk when a histogram follows a float, when it switches between
/// gauge and counter, when its layout (schema, zero threshold, custom bounds) changes and when it shows
/// a counter reset; on reading, the first sample of a counter chunk says Unknown (even after a reset, see
/// prometheus/prometheus#15346), every later one NotCounterReset, and gauge samples say Gauge.
/// </summary>
internal static class TsdbHints
{
    public static IEnumerable<StoredSample> AsReadBack(List<StoredSample> samples)
    {
        FloatHistogram? previous = null;
        foreach (var s in samples)
        {
            if (s.H is not { } h)
            {
                if (!StaleMarker.IsStale(s.F))
                {
                    previous = null;
                }

                yield return s;
                continue;
            }

            var gauge = h.CounterResetHint == CounterResetHint.Gauge;
            var newChunk = previous is null ||
                           gauge != (previous.CounterResetHint == CounterResetHint.Gauge) ||
                           h.CounterResetHint == CounterResetHint.CounterReset ||
                           h.Schema != previous.Schema ||
                           h.ZeroThreshold != previous.ZeroThreshold ||
                           (h.UsesCustomBuckets && !h.CustomValues.SequenceEqual(previous.CustomValues)) ||
                           (!gauge && ShowsReset(h, previous));
            var stored = h.Copy();
            stored.CounterResetHint = gauge ? CounterResetHint.Gauge : newChunk ? CounterResetHint.Unknown : CounterResetHint.NotCounterReset;
            previous = h;
            yield return s with { H = stored };
        }
    }

    private static bool ShowsReset(FloatHistogram h, FloatHistogram previous)
    {
        var unhinted = h.Copy();
        unhinted.CounterResetHint = CounterResetHint.Unknown;
        return unhinted.DetectReset(previous);
    }
}
