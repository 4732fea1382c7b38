using System.IO.Compression;

namespace PromLake.Storage.Parquet;

/// <summary>How <see cref="SampleBlockWriter"/> lays out and compresses a block.</summary>
public sealed record SampleBlockWriterOptions
{
    /// <summary>
    /// What day merges write (hour merges: <see cref="HourLevel"/>): zstd SmallestSize and row groups of 2^22 elements. A
    /// merged block is written once and kept for the retention, so it gets the smallest
    /// setting: bigger groups pay the first copy of each target's timestamp sequence and each
    /// DELTA_BINARY_PACKED start once per group rather than once per 2^20 elements (3 % of a
    /// day block of the synthetic fleet, README.md), for buffers of about 250 MB while a group
    /// is written and coarser pruning by metric name for readers of single groups.
    /// </summary>
    public static SampleBlockWriterOptions MergedLevels { get; } = new() { Compression = CompressionLevel.SmallestSize, RowGroupTargetElements = 1 << 22 };

    /// <summary>
    /// What hour merges write: the day setting with row groups of 2^18 elements. An hour block
    /// lives until its day is merged, and the day merge reads its inputs a row group at a time,
    /// all 24 hours at once: groups of 2^18 elements keep that to about 6 M decoded samples
    /// (some 200 MB) whatever the size of the shard, where 2^22-element groups would let a
    /// large shard's day merge hold the whole day. The bytes of hour blocks matter less; the
    /// day block that replaces them has the large groups.
    /// </summary>
    public static SampleBlockWriterOptions HourLevel { get; } = MergedLevels with { RowGroupTargetElements = 1 << 18 };

    /// <summary>
    /// zstd effort. <see cref="CompressionLevel.Optimal"/> (the default) suits level-0 flushes;
    /// <see cref="CompressionLevel.SmallestSize"/> saves a few per cent more at several times
    /// the CPU, which pays off for day blocks that are written once and kept for the retention.
    /// </summary>
    public CompressionLevel Compression { get; init; } = CompressionLevel.Optimal;

    /// <summary>
    /// What the compactor writes level-0 blocks with: zstd <see cref="CompressionLevel.Fastest"/>.
    /// A level-0 block lives until its hour is merged (the merge rewrites it at
    /// <see cref="CompressionLevel.SmallestSize"/> from its rows, not its bytes), so its size
    /// matters far less than the CPU of a flush, which runs every few seconds.
    /// </summary>
    public static SampleBlockWriterOptions Level0 { get; } = new() { Compression = CompressionLevel.Fastest };

    /// <summary>
    /// A row group is closed once its rows hold this many samples, histograms and exemplars.
    /// Smaller groups prune more finely by metric name; larger ones compress a little better.
    /// A series is never split, so one very long series makes a group of its own.
    /// </summary>
    public int RowGroupTargetElements { get; init; } = 1 << 20;

    /// <summary>How sample values are encoded; <see cref="SampleValueEncoding.Auto"/> decides per row group.</summary>
    public SampleValueEncoding ValueEncoding { get; init; } = SampleValueEncoding.Auto;

    /// <summary>
    /// Store each series' values that are short decimals as integers with a per-series divisor
    /// (<c>scaled</c> and <c>value_divisor</c>), the rest as doubles. Bit-exact either way; a
    /// fraction of the bytes for counters, tick counts and nanosecond durations (README.md).
    /// False writes the version-1 layout, every value a double.
    /// </summary>
    public bool ScaledValues { get; init; } = true;

    /// <summary>Divide each series' divisor by the common factor of its scaled integers where that stays exact (<c>DecimalScale.DivisorOf</c>).</summary>
    public bool CommonFactor { get; init; } = true;

    /// <summary>Per series of at least <c>ScaleTrial.MinSamples</c> samples, keep the doubles when they compress smaller than the scaled integers.</summary>
    public bool ScaleTrial { get; init; } = true;

    public void Validate()
    {
        if (!Enum.IsDefined(ValueEncoding))
        {
            throw new ArgumentOutOfRangeException(nameof(ValueEncoding), ValueEncoding, "choose Auto, ByteStreamSplit or Plain");
        }

        if (!Enum.IsDefined(Compression) || Compression == CompressionLevel.NoCompression)
        {
            throw new ArgumentOutOfRangeException(nameof(Compression), Compression, "choose Fastest, Optimal or SmallestSize");
        }

        if (RowGroupTargetElements < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RowGroupTargetElements), RowGroupTargetElements, "a row group must hold at least one element");
        }
    }
}

/// <summary>
/// The Parquet encoding of <c>samples.value</c>. Neither wins everywhere (see README.md):
/// BYTE_STREAM_SPLIT lines up the exponent and high mantissa bytes of values that change at
/// every scrape; PLAIN keeps a run of unchanged values as one repeated 8-byte pattern, which
/// zstd stores as a single match.
/// </summary>
public enum SampleValueEncoding
{
    /// <summary>Per row group, whichever compresses a sample of the group's values smaller.</summary>
    Auto,
    ByteStreamSplit,
    Plain,
}
