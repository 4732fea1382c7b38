namespace PromLake.Log;

/// <summary>
/// Configuration section <c>PromLake:Log</c>: the local durable ingest log, the
/// standalone server's default log (<see cref="LocalFileLog"/>).
/// </summary>
public sealed class LocalLogOptions
{
    public const string Section = "PromLake:Log";

    /// <summary>Shard folders are named shard-000 .. shard-999.</summary>
    public const int MaxShardCount = 1000;

    /// <summary>
    /// The log's root folder. Shard N keeps its segment files in <c>shard-NNN</c>
    /// under it; consumers keep their checkpoints in <c>checkpoints</c>.
    /// </summary>
    public string Directory { get; set; } = ".data/log";

    /// <summary>
    /// Number of shards. It may grow between restarts but never shrink: a dropped
    /// shard's events would be stranded, so opening refuses to.
    /// </summary>
    public int ShardCount { get; set; } = 4;

    /// <summary>Size of one segment file, as a power of two (26 = 64 MiB).</summary>
    public int SegmentSizeBits { get; set; } = 26;

    /// <summary>
    /// Size of a log page, as a power of two (22 = 4 MiB). A page is the unit
    /// FasterLog buffers and writes, and an event cannot be larger than one page
    /// (less a 12-byte record header).
    /// </summary>
    public int PageSizeBits { get; set; } = 22;

    /// <summary>
    /// Memory each shard keeps for the tail of its log, as a power of two
    /// (24 = 16 MiB, four pages). A reader that keeps up is served from it
    /// without touching the disk.
    /// </summary>
    public int MemorySizeBits { get; set; } = 24;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new InvalidOperationException($"{Section}:{nameof(Directory)} must name a folder");
        }

        if (ShardCount is < 1 or > MaxShardCount)
        {
            throw new InvalidOperationException(
                $"{Section}:{nameof(ShardCount)} must be between 1 and {MaxShardCount} (it is {ShardCount})");
        }

        // FasterLog cannot page below 4 KiB sectors, and keeps a page's size in an int.
        if (PageSizeBits is < 12 or > 28)
        {
            throw new InvalidOperationException(
                $"{Section}:{nameof(PageSizeBits)} must be between 12 (4 KiB) and 28 (256 MiB) (it is {PageSizeBits})");
        }

        if (SegmentSizeBits < PageSizeBits || SegmentSizeBits > 40)
        {
            throw new InvalidOperationException(
                $"{Section}:{nameof(SegmentSizeBits)} must be between {nameof(PageSizeBits)} ({PageSizeBits}) and 40 (1 TiB) (it is {SegmentSizeBits})");
        }

        // One page is always being filled while another is written out.
        if (MemorySizeBits <= PageSizeBits || MemorySizeBits > 40)
        {
            throw new InvalidOperationException(
                $"{Section}:{nameof(MemorySizeBits)} must hold at least two pages: between {nameof(PageSizeBits)} + 1 ({PageSizeBits + 1}) and 40 (it is {MemorySizeBits})");
        }
    }
}
