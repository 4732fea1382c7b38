using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;
using PromLake.Query.Storage;

namespace PromLake.Query.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary>
    /// An instant selector at each step: the newest sample in (t - lookback, t], unless it is a
    /// staleness marker. <paramref name="recordOriginalTime"/> yields the sample's own timestamp in
    /// seconds instead of its value (for <c>timestamp()</c>).
    /// </summary>
    private List<Series> EvalVectorSelector(VectorSelector vs, bool recordOriginalTime)
    {
        var result = new List<Series>();
        if (_end < _start)
        {
            return result;
        }

        var windows = StatsWindows(vs, _lookback);
        foreach (var stored in _data[vs])
        {
            var samples = SamplesToRead(stored, windows);
            var series = new Series(stored.Labels);
            for (var ts = _start; ts <= _end; ts += _interval)
            {
                var refTime = (vs.Timestamp ?? ts) - vs.OriginalOffset;
                var idx = LastAtOrBefore(samples, refTime);
                if (idx < 0)
                {
                    continue;
                }

                var s = samples[idx];
                if (s.T <= refTime - _lookback)
                {
                    continue;
                }

                if (s.H is { } h)
                {
                    if (StaleMarker.IsStale(h.Sum))
                    {
                        continue;
                    }

                    if (recordOriginalTime)
                    {
                        series.Floats.Add(new FPoint(ts, s.T / 1000.0));
                    }
                    else
                    {
                        series.Histograms.Add(new HPoint(ts, h));
                    }

                    continue;
                }

                if (StaleMarker.IsStale(s.F))
                {
                    continue;
                }

                series.Floats.Add(new FPoint(ts, recordOriginalTime ? s.T / 1000.0 : s.F));
            }

            if (series.PointCount > 0)
            {
                result.Add(series);
            }
        }

        return result;
    }

    /// <summary>A series' samples, as the histogram stats iterator yields them when the selector needs only counts and sums.</summary>
    private static IReadOnlyList<StoredSample> SamplesToRead(StoredSeries stored, List<(long From, long To)>? statsWindows) =>
        statsWindows is null ? stored.Samples : HistogramStatsDecoding.Apply(stored.Samples, statsWindows);

    /// <summary>The windows a selector whose histograms are read as count and sum only reads at the steps; null for a full read.</summary>
    private List<(long From, long To)>? StatsWindows(VectorSelector vs, long windowLength) =>
        vs.SkipHistogramBuckets ? HistogramStatsDecoding.Windows(_start, _end, _interval, vs.Timestamp, vs.OriginalOffset, windowLength) : null;

    private static int LastAtOrBefore(IReadOnlyList<StoredSample> samples, long t)
    {
        int lo = 0, hi = samples.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (samples[mid].T <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - 1;
    }

    /// <summary>All non-stale samples of each selected series, as the raw input of range windows.</summary>
    private List<Series> RawSeries(VectorSelector vs, long range)
    {
        var result = new List<Series>();
        var windows = StatsWindows(vs, range);
        foreach (var stored in _data[vs])
        {
            if (windows is null && stored.Samples is ColumnarSamples columns)
            {
                result.Add(FloatSeries(stored.Labels, columns));
                continue;
            }

            var series = new Series(stored.Labels);
            foreach (var s in SamplesToRead(stored, windows))
            {
                if (s.H is { } h)
                {
                    if (!StaleMarker.IsStale(h.Sum))
                    {
                        series.Histograms.Add(new HPoint(s.T, h));
                    }
                }
                else if (!StaleMarker.IsStale(s.F))
                {
                    series.Floats.Add(new FPoint(s.T, s.F));
                }
            }

            result.Add(series);
        }

        return result;
    }

    /// <summary>A store's float-only series as range-window input: one pass over its columns, stale markers left out.</summary>
    private static Series FloatSeries(Labels labels, ColumnarSamples columns)
    {
        var floats = new List<FPoint>(columns.Count);
        foreach (var segment in columns.Segments)
        {
            var timestamps = segment.TimestampSpan;
            var values = segment.ValueSpan;
            for (var i = 0; i < timestamps.Length; i++)
            {
                if (!StaleMarker.IsStale(values[i]))
                {
                    floats.Add(new FPoint(timestamps[i], values[i]));
                }
            }
        }

        return new Series(labels) { Floats = floats };
    }

    /// <summary>A range selector evaluated on its own (the result of an instant query): the points in (t - range, t].</summary>
    private List<Series> EvalMatrixSelectorAt(MatrixSelector ms, long ts)
    {
        var source = RangeSource.ForSelector(ms, RawSeries(ms.Selector, ms.Range));
        var (mint, maxt) = source.Window(ts);
        var result = new List<Series>();
        foreach (var s in source.Series)
        {
            var copy = new Series(s.Metric) { DropName = s.DropName };
            copy.Floats.AddRange(RangeSource.Slice(s.Floats, mint, maxt));
            copy.Histograms.AddRange(RangeSource.SliceH(s.Histograms, mint, maxt));
            if (copy.PointCount > 0)
            {
                result.Add(copy);
            }
        }

        return result;
    }

    /// <summary>
    /// Evaluates a subquery's inner expression at its own steps: aligned to multiples of the step,
    /// first step after (start - offset - range), last at (end - offset); an @ pins both ends.
    /// </summary>
    private RangeSource EvalSubqueryPoints(SubqueryExpr sq)
    {
        var outerStart = sq.Timestamp ?? _start;
        var outerEnd = sq.Timestamp ?? _end;
        var step = sq.Step > 0 ? sq.Step : (long)_options.DefaultSubqueryStep.TotalMilliseconds;
        var innerEnd = outerEnd - sq.OriginalOffset;
        var lowest = outerStart - sq.OriginalOffset - sq.Range;
        var innerStart = step * (lowest / step);
        if (innerStart <= lowest)
        {
            innerStart += step;
        }

        var child = Child(innerStart, innerEnd, step);
        var mat = innerEnd < innerStart ? [] : child.EvalMatrix(sq.Inner);
        ClearCounterResetHints(mat);
        return new RangeSource(mat, sq.Range, sq.OriginalOffset, sq.Timestamp);
    }

    /// <summary>
    /// A subquery's points are not consecutive samples of a series (a sample may repeat, others may be
    /// skipped), so a hint saying "reset" or "no reset" relative to the previous sample no longer holds:
    /// counter resets have to be detected from the values (prometheus/prometheus#15987).
    /// </summary>
    private static void ClearCounterResetHints(List<Series> mat)
    {
        foreach (var s in mat)
        {
            for (var i = 0; i < s.Histograms.Count; i++)
            {
                var h = s.Histograms[i].H;
                if (h.CounterResetHint is CounterResetHint.CounterReset or CounterResetHint.NotCounterReset)
                {
                    var copy = h.Copy();
                    copy.CounterResetHint = CounterResetHint.Unknown;
                    s.Histograms[i] = s.Histograms[i] with { H = copy };
                }
            }
        }
    }

    private RangeSource EvalRangeSource(Expr arg) => AstWalker.Unwrap(arg) switch
    {
        MatrixSelector ms => RangeSource.ForSelector(ms, RawSeries(ms.Selector, ms.Range)),
        SubqueryExpr sq => EvalSubqueryPoints(sq),
        _ => throw Error("expected a range vector argument"),
    };
}

/// <summary>Series to cut range windows from, with the window's length, offset and @ time.</summary>
internal sealed class RangeSource(List<Series> series, long range, long offset, long? at)
{
    public List<Series> Series { get; } = series;

    public long Range { get; } = range;

    public static RangeSource ForSelector(MatrixSelector ms, List<Series> raw) =>
        new(raw, ms.Range, ms.Selector.OriginalOffset, ms.Selector.Timestamp);

    /// <summary>The window for evaluation time <paramref name="ts"/>: (MinT, MaxT].</summary>
    public (long MinT, long MaxT) Window(long ts)
    {
        var maxt = (at ?? ts) - offset;
        return (maxt - Range, maxt);
    }

    /// <summary>The first index at or after <paramref name="from"/> whose point is later than <paramref name="t"/>.</summary>
    public static int AdvancePast(ReadOnlySpan<FPoint> points, int from, long t)
    {
        while (from < points.Length && points[from].T <= t)
        {
            from++;
        }

        return from;
    }

    /// <summary><see cref="AdvancePast"/> for histogram points.</summary>
    public static int AdvancePastH(ReadOnlySpan<HPoint> points, int from, long t)
    {
        while (from < points.Length && points[from].T <= t)
        {
            from++;
        }

        return from;
    }

    public static ReadOnlySpan<FPoint> Slice(List<FPoint> points, long mint, long maxt)
    {
        var from = Evaluator.LowerBound(points, mint + 1);
        var to = Evaluator.LowerBound(points, maxt + 1);
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(points)[from..to];
    }

    public static ReadOnlySpan<HPoint> SliceH(List<HPoint> points, long mint, long maxt)
    {
        if (points.Count == 0)
        {
            return [];
        }

        var from = Evaluator.LowerBoundH(points, mint + 1);
        var to = Evaluator.LowerBoundH(points, maxt + 1);
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(points)[from..to];
    }
}
