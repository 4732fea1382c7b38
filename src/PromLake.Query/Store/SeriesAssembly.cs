using PromLake.Query.Storage;
using PromLake.Storage.Dedup;
using Block = PromLake.Storage.Series;
using QueryLabels = PromLake.Query.Model.Labels;
using StorageLabel = PromLake.Storage.Series.Label;

namespace PromLake.Query.Store;

/// <summary>
/// One series' samples gathered from every block (and the log tail) that holds part of it,
/// in log order, as slices of the blocks' own arrays. Most series come in pieces that are each
/// in time order and follow one another without overlap (a series lives in one shard, whose
/// blocks cover successive stretches of the log): those are handed over as segments of the
/// blocks' arrays, without a copy. Only pieces that overlap go through <see cref="RepeatDedup"/>, which keeps
/// the last-written sample of each timestamp. Native histograms, rarer, are gathered as their messages
/// and decoded when the series is built.
/// </summary>
internal sealed class SeriesAssembly(StorageLabel[] storageLabels, QueryLabels labels)
{
    private readonly List<Piece> _pieces = [];

    /// <summary>Native histogram samples in log order, unsorted across pieces; null while there are none.</summary>
    private List<Block.HistogramSample>? _histograms;

    /// <summary>Exemplars in the range, in log order; null while there are none.</summary>
    private List<Block.Exemplar>? _exemplars;

    public StorageLabel[] StorageLabels { get; } = storageLabels;

    public QueryLabels Labels { get; } = labels;

    /// <summary>Adds the samples of <paramref name="timestamps"/> in [<paramref name="minT"/>, <paramref name="maxT"/>], if any.</summary>
    public void Add(long[] timestamps, double[] values, bool strictlyIncreasing, long minT, long maxT)
    {
        int from, to;
        if (strictlyIncreasing)
        {
            from = LowerBound(timestamps, minT);
            to = LowerBound(timestamps, maxT + 1);
        }
        else
        {
            (from, to) = (0, timestamps.Length); // filtered in the slow merge
        }

        if (to > from)
        {
            _pieces.Add(new Piece(timestamps, values, from, to - from, strictlyIncreasing));
        }
    }

    /// <summary>Adds the native histogram samples in [<paramref name="minT"/>, <paramref name="maxT"/>], if any.</summary>
    public void AddHistograms(IEnumerable<Block.HistogramSample> histograms, long minT, long maxT)
    {
        foreach (var h in histograms)
        {
            if (h.Timestamp >= minT && h.Timestamp <= maxT)
            {
                (_histograms ??= []).Add(h);
            }
        }
    }

    /// <summary>Adds the exemplars in [<paramref name="minT"/>, <paramref name="maxT"/>], if any.</summary>
    public void AddExemplars(IEnumerable<Block.Exemplar> exemplars, long minT, long maxT)
    {
        foreach (var e in exemplars)
        {
            if (e.Timestamp >= minT && e.Timestamp <= maxT)
            {
                (_exemplars ??= []).Add(e);
            }
        }
    }

    /// <summary>The exemplars gathered, by time, one of each repeat (<see cref="RepeatDedup"/>).</summary>
    public List<Block.Exemplar> Exemplars()
    {
        var exemplars = new List<Block.Exemplar>(_exemplars ?? []);
        RepeatDedup.Apply(exemplars);
        return exemplars;
    }

    /// <summary>
    /// The series' samples in [<paramref name="minT"/>, <paramref name="maxT"/>], floats and native
    /// histograms, in time order without repeats; null if none.
    /// </summary>
    public IReadOnlyList<StoredSample>? Build(long minT, long maxT)
    {
        var floats = BuildFloats(minT, maxT);
        return _histograms is null ? floats : WithHistograms(floats, HistogramsInOrder());
    }

    /// <summary>
    /// Float samples and native histograms of one series merged by time. The histograms must be in
    /// time order without repeats; where both kinds have a sample at one timestamp the histogram is
    /// kept (a series holds one kind of sample at a time, as Prometheus's head appends it).
    /// </summary>
    public static IReadOnlyList<StoredSample>? WithHistograms(IReadOnlyList<StoredSample>? floats, List<Block.HistogramSample> histograms)
    {
        if (histograms.Count == 0)
        {
            return floats;
        }

        floats ??= [];
        var merged = new List<StoredSample>(floats.Count + histograms.Count);
        var f = 0;
        foreach (var h in histograms)
        {
            while (f < floats.Count && floats[f].T < h.Timestamp)
            {
                merged.Add(floats[f++]);
            }

            if (f < floats.Count && floats[f].T == h.Timestamp)
            {
                f++;
            }

            merged.Add(new StoredSample(h.Timestamp, 0, HistogramMessages.Decode(h.Message)));
        }

        while (f < floats.Count)
        {
            merged.Add(floats[f++]);
        }

        return merged;
    }

    /// <summary>The histograms gathered, in time order, the last written of each timestamp.</summary>
    private List<Block.HistogramSample> HistogramsInOrder()
    {
        var histograms = new List<Block.HistogramSample>(_histograms ?? []);
        RepeatDedup.Apply(histograms);
        return histograms;
    }

    private ColumnarSamples? BuildFloats(long minT, long maxT)
    {
        if (_pieces.Count == 0)
        {
            return null;
        }

        if (!JoinsWithoutOverlap())
        {
            return Merged(minT, maxT);
        }

        var segments = new ColumnSegment[_pieces.Count];
        for (var i = 0; i < segments.Length; i++)
        {
            var piece = _pieces[i];
            segments[i] = new ColumnSegment(piece.Timestamps, piece.Values, piece.Offset, piece.Count);
        }

        return new ColumnarSamples(segments);
    }

    /// <summary>Whether any piece has a sample in [<paramref name="minT"/>, <paramref name="maxT"/>], without assembling them.</summary>
    public bool HasSamples(long minT, long maxT)
    {
        if (_histograms is not null)
        {
            return true; // cut to the range when added
        }

        foreach (var piece in _pieces)
        {
            if (piece.StrictlyIncreasing)
            {
                return true; // cut to the range when added
            }

            for (var i = piece.Offset; i < piece.Offset + piece.Count; i++)
            {
                if (piece.Timestamps[i] >= minT && piece.Timestamps[i] <= maxT)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The series as the compactor's types hold it, for the replica merge.</summary>
    public Block.StoredSeries ToStoredSeries(long minT, long maxT)
    {
        var series = new Block.StoredSeries(StorageLabels);
        if (_histograms is not null)
        {
            series.Histograms.AddRange(HistogramsInOrder());
        }

        if (BuildFloats(minT, maxT) is { } samples)
        {
            series.Samples.Capacity = samples.Count;
            foreach (var sample in samples)
            {
                series.Samples.Add(new Block.Sample(sample.T, sample.F));
            }
        }

        return series;
    }

    private bool JoinsWithoutOverlap()
    {
        for (var i = 0; i < _pieces.Count; i++)
        {
            var piece = _pieces[i];
            if (!piece.StrictlyIncreasing)
            {
                return false;
            }

            if (i > 0)
            {
                var previous = _pieces[i - 1];
                if (previous.Timestamps[previous.Offset + previous.Count - 1] >= piece.Timestamps[piece.Offset])
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Pieces that overlap or repeat timestamps: all of them in log order, then the last-written of each timestamp.</summary>
    private ColumnarSamples? Merged(long minT, long maxT)
    {
        var samples = new List<Block.Sample>();
        foreach (var piece in _pieces)
        {
            for (var i = piece.Offset; i < piece.Offset + piece.Count; i++)
            {
                var t = piece.Timestamps[i];
                if (t >= minT && t <= maxT)
                {
                    samples.Add(new Block.Sample(t, piece.Values[i]));
                }
            }
        }

        RepeatDedup.Apply(samples);
        if (samples.Count == 0)
        {
            return null;
        }

        var (timestamps, values) = Columns(samples);
        return new ColumnarSamples(timestamps, values);
    }

    /// <summary>The compactor's list of samples as two columns.</summary>
    public static (long[] Timestamps, double[] Values) Columns(List<Block.Sample> samples)
    {
        var timestamps = new long[samples.Count];
        var values = new double[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            timestamps[i] = samples[i].Timestamp;
            values[i] = samples[i].Value;
        }

        return (timestamps, values);
    }

    private static int LowerBound(long[] timestamps, long t)
    {
        int lo = 0, hi = timestamps.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (timestamps[mid] < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private readonly record struct Piece(long[] Timestamps, double[] Values, int Offset, int Count, bool StrictlyIncreasing);
}
