using System.Collections;

namespace PromLake.Query.Storage;

/// <summary>
/// Float samples held as two parallel arrays, timestamps and values, as a store decodes
/// them: the engine reads <see cref="Timestamps"/> and <see cref="Values"/> directly, and
/// everything else sees the usual list of <see cref="StoredSample"/> without a copy.
/// </summary>
public sealed class ColumnarSamples : IReadOnlyList<StoredSample>
{
    private readonly long[] _timestamps;
    private readonly double[] _values;
    private readonly int _offset;

    public ColumnarSamples(long[] timestamps, double[] values, int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(values.Length, timestamps.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)offset + (uint)count, (uint)timestamps.Length, nameof(count));
        _timestamps = timestamps;
        _values = values;
        _offset = offset;
        Count = count;
    }

    public ColumnarSamples(long[] timestamps, double[] values)
        : this(timestamps, values, 0, timestamps.Length)
    {
    }

    public int Count { get; }

    public ReadOnlySpan<long> Timestamps => _timestamps.AsSpan(_offset, Count);

    public ReadOnlySpan<double> Values => _values.AsSpan(_offset, Count);

    public StoredSample this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return new StoredSample(_timestamps[_offset + index], _values[_offset + index]);
        }
    }

    public IEnumerator<StoredSample> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return new StoredSample(_timestamps[_offset + i], _values[_offset + i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
