using System.Collections;

namespace PromLake.Query.Storage;

/// <summary>
/// Float samples held as columns, timestamps and values, in one or more segments that follow
/// one another in time, as a store decodes them: the pieces of a series from successive blocks
/// are handed over as they are, without being copied into one array. The engine reads the
/// <see cref="Segments"/> directly; everything else sees the usual list of
/// <see cref="StoredSample"/>.
/// </summary>
public sealed class ColumnarSamples : IReadOnlyList<StoredSample>
{
    private readonly ColumnSegment[] _segments;

    /// <summary>Index of the first sample of each segment, for the indexer.</summary>
    private readonly int[] _firstIndexes;

    /// <summary>Segments in time order; each is in time order and ends before the next starts.</summary>
    public ColumnarSamples(ColumnSegment[] segments)
    {
        _segments = segments;
        _firstIndexes = new int[segments.Length];
        var count = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            _firstIndexes[i] = count;
            count += segments[i].Count;
        }

        Count = count;
    }

    public ColumnarSamples(long[] timestamps, double[] values, int offset, int count)
        : this([new ColumnSegment(timestamps, values, offset, count)])
    {
    }

    public ColumnarSamples(long[] timestamps, double[] values)
        : this(timestamps, values, 0, timestamps.Length)
    {
    }

    public int Count { get; }

    public ReadOnlySpan<ColumnSegment> Segments => _segments;

    public StoredSample this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            var segment = _segments.Length == 1 ? 0 : SegmentOf(index);
            var s = _segments[segment];
            var at = s.Offset + index - _firstIndexes[segment];
            return new StoredSample(s.Timestamps[at], s.Values[at]);
        }
    }

    public IEnumerator<StoredSample> GetEnumerator()
    {
        foreach (var s in _segments)
        {
            for (var i = s.Offset; i < s.Offset + s.Count; i++)
            {
                yield return new StoredSample(s.Timestamps[i], s.Values[i]);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int SegmentOf(int index)
    {
        var found = Array.BinarySearch(_firstIndexes, index);
        return found >= 0 ? found : ~found - 1;
    }
}

/// <summary>
/// <paramref name="Count"/> samples from <paramref name="Offset"/> of two parallel arrays, which
/// may be shared (a store's cached block): readers never write to them.
/// </summary>
public readonly record struct ColumnSegment(long[] Timestamps, double[] Values, int Offset, int Count)
{
    public ReadOnlySpan<long> TimestampSpan => Timestamps.AsSpan(Offset, Count);

    public ReadOnlySpan<double> ValueSpan => Values.AsSpan(Offset, Count);
}
