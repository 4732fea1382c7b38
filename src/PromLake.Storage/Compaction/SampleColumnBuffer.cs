namespace PromLake.Storage.Compaction;

/// <summary>
/// Float samples as three growable columns (timestamps, values, start timestamps), the
/// layout the Parquet writer consumes. Cleared rather than reallocated, so a buffer that
/// has grown to a series' size stays that size for the next flush.
/// </summary>
internal sealed class SampleColumnBuffer
{
    private long[] _timestamps = new long[8];
    private double[] _values = new double[8];
    private long[] _starts = new long[8];

    public int Count { get; private set; }

    public ReadOnlySpan<long> Timestamps => _timestamps.AsSpan(0, Count);

    public ReadOnlySpan<double> Values => _values.AsSpan(0, Count);

    public ReadOnlySpan<long> Starts => _starts.AsSpan(0, Count);

    /// <summary>The columns as the block writer takes them, without a copy.</summary>
    public Parquet.SampleColumns Columns => new(_timestamps.AsMemory(0, Count), _values.AsMemory(0, Count), _starts.AsMemory(0, Count));

    public void Clear() => Count = 0;

    public void Append(long timestamp, double value, long start)
    {
        if (Count == _timestamps.Length)
        {
            Array.Resize(ref _timestamps, Count * 2);
            Array.Resize(ref _values, Count * 2);
            Array.Resize(ref _starts, Count * 2);
        }

        _timestamps[Count] = timestamp;
        _values[Count] = value;
        _starts[Count] = start;
        Count++;
    }
}
