using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;
using PromLake.Query.Storage;

namespace PromLake.Query.PromQL.Engine;

/// <summary>
/// Prometheus reads native histograms through its HistogramStatsIterator when a selector feeds only
/// histogram_count, histogram_sum or histogram_avg: buckets are not decoded, and each histogram's counter
/// reset hint is worked out on the fly against the previous one read. The hints it yields can differ from
/// the stored ones (a reset the storage reports as "unknown" becomes "reset"), which shows in the
/// "conflicting counter resets" warning; results are otherwise the same. This engine does the same so
/// that it warns where Prometheus warns.
/// </summary>
internal static class HistogramStatsDecoding
{
    /// <summary>
    /// Marks the selectors whose histograms may be read without buckets (Prometheus's
    /// detectHistogramStatsDecoding): walking up from the selector, histogram_count/sum/avg allow it, while
    /// a subquery (counter resets need buckets there), a trim operator or a function that needs buckets forbids it.
    /// </summary>
    public static void Mark(Expr expr)
    {
        foreach (var (node, path) in AstWalker.Walk(expr))
        {
            if (node is not VectorSelector vs)
            {
                continue;
            }

            for (var i = path.Count - 1; i >= 0; i--)
            {
                if (path[i] is SubqueryExpr || (path[i] is BinaryExpr b && BinaryExpr.IsHistogramTrim(b.Op)))
                {
                    vs.SkipHistogramBuckets = false;
                    break;
                }

                if (path[i] is Call call)
                {
                    var name = call.Func.Name;
                    if (name is "histogram_count" or "histogram_sum" or "histogram_avg")
                    {
                        vs.SkipHistogramBuckets = true;
                    }
                    else if (name is "histogram_quantile" or "histogram_quantiles" or "histogram_fraction")
                    {
                        vs.SkipHistogramBuckets = false;
                        break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The samples as the stats iterator yields them: histograms reduced to schema, count and sum; an
    /// unknown hint replaced by what detection against the previous histogram read says. Only samples
    /// inside <paramref name="windows"/> are read; a sample outside breaks the chain.
    /// </summary>
    public static IReadOnlyList<StoredSample> Apply(IReadOnlyList<StoredSample> samples, List<(long From, long To)> windows)
    {
        var result = new List<StoredSample>(samples.Count);
        FloatHistogram? last = null;
        var w = 0;
        foreach (var s in samples)
        {
            if (s.H is not { } h)
            {
                result.Add(s);
                continue;
            }

            while (w < windows.Count && windows[w].To < s.T)
            {
                w++;
            }

            var read = w < windows.Count && s.T > windows[w].From;
            var hint = h.CounterResetHint;
            if (!read)
            {
                last = null;
            }
            else if (hint == CounterResetHint.Unknown && last is not null)
            {
                hint = h.DetectReset(last) ? CounterResetHint.CounterReset : CounterResetHint.NotCounterReset;
            }

            if (read && !StaleMarker.IsStale(h.Sum))
            {
                last = h;
            }

            result.Add(s with { H = new FloatHistogram { Schema = h.Schema, Count = h.Count, Sum = h.Sum, CounterResetHint = hint } });
        }

        return result;
    }

    /// <summary>The union of the windows (from, to] a selector reads at the evaluation steps, in time order.</summary>
    public static List<(long From, long To)> Windows(long start, long end, long interval, long? at, long offset, long length)
    {
        var windows = new List<(long From, long To)>();
        for (var ts = start; ts <= end; ts += interval)
        {
            var to = (at ?? ts) - offset;
            var from = to - length;
            if (windows.Count > 0 && from <= windows[^1].To)
            {
                windows[^1] = (windows[^1].From, Math.Max(to, windows[^1].To));
            }
            else
            {
                windows.Add((from, to));
            }

            if (at is not null)
            {
                break;
            }
        }

        return windows;
    }
}
