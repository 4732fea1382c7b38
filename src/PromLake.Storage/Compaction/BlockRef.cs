using System.Globalization;

namespace PromLake.Storage.Compaction;

/// <summary>The three kinds of block, in the order they supersede each other.</summary>
public enum BlockLevel
{
    /// <summary>One flush of the log: <c>l0-…</c> in an hour folder, replica labels kept.</summary>
    Level0 = 0,

    /// <summary>A shard's hour merged: <c>h-…</c> in the hour folder.</summary>
    Hour = 1,

    /// <summary>A shard's day merged: <c>d-…</c> in the day folder.</summary>
    Day = 2,
}

/// <summary>
/// A block's name read back into what it says: level, shard, the log positions it covers and the partition
/// (hour or day of sample time) it belongs to, plus the ETag it was listed with.
/// </summary>
public sealed record BlockRef(string Name, BlockLevel Level, int Shard, long FirstPosition, long LastPosition, long PartitionStart, string ETag = "")
{
    /// <summary>The end (exclusive, ms) of the partition's sample time.</summary>
    public long PartitionEnd => PartitionStart + (Level == BlockLevel.Day ? BlockLayout.DayMs : BlockLayout.HourMs);

    public long DayStart => BlockLayout.DayOf(PartitionStart);

    /// <summary>
    /// The supersession rule: true when this block holds everything <paramref name="other"/> holds, so a reader
    /// that has this block must not read the other. A merged block covers every block of the same shard in its
    /// partition (an hour block: its hour folder, below day level; a day block: the whole day) whose log position
    /// range lies inside its own.
    /// </summary>
    /// <remarks>
    /// Why that is sound: a merge takes only blocks whose last position is below the shard's committed checkpoint,
    /// and a flush writes all its blocks before it commits, so when the merge listed the partition every flush of
    /// the range [first, last] had its block for this partition there (or a merged block that had replaced it, which
    /// the merge took as well). Any block of the partition whose range lies inside [first, last] holds samples of
    /// those same log positions for the same tenant, shard and partition: the merge has them (after dedup, the last
    /// written value, which is the same log record). A block written later with positions inside the range can only
    /// be a repeat of that committed log range (a replayed or stalled flush), never new data, because the
    /// checkpoint only moves forward and new data gets new positions.
    /// </remarks>
    public bool Covers(BlockRef other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Level == BlockLevel.Level0 || other.Shard != Shard || other.Level > Level || other.Name == Name)
        {
            return false;
        }

        var samePartition = Level == BlockLevel.Day
            ? other.DayStart == PartitionStart
            : other.PartitionStart == PartitionStart;
        return samePartition && FirstPosition <= other.FirstPosition && other.LastPosition <= LastPosition;
    }

    /// <summary>The order readers and merges apply blocks in: per shard, by log position, so the last-written value wins.</summary>
    public static int CompareLogOrder(BlockRef? a, BlockRef? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        var c = a.Shard.CompareTo(b.Shard);
        if (c == 0)
        {
            c = a.FirstPosition.CompareTo(b.FirstPosition);
        }

        if (c == 0)
        {
            c = a.LastPosition.CompareTo(b.LastPosition);
        }

        if (c == 0)
        {
            c = a.Level.CompareTo(b.Level);
        }

        return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
    }

    /// <summary>
    /// Reads a blob name written by <see cref="BlockLayout"/>; false for anything else (which readers and merges ignore).
    /// </summary>
    public static bool TryParse(string name, string etag, out BlockRef block)
    {
        ArgumentNullException.ThrowIfNull(name);
        block = null!;
        var segments = name.Split('/');
        if (segments.Length < 5 || !name.EndsWith(".parquet", StringComparison.Ordinal))
        {
            return false;
        }

        var file = segments[^1][..^".parquet".Length].Split('-');
        if (file.Length != 4 || file[1].Length < 2 || file[1][0] != 's'
            || !int.TryParse(file[1].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var shard)
            || !long.TryParse(file[2], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(file[3], NumberStyles.None, CultureInfo.InvariantCulture, out var last))
        {
            return false;
        }

        var level = file[0] switch
        {
            "l0" => BlockLevel.Level0,
            "h" => BlockLevel.Hour,
            "d" => BlockLevel.Day,
            _ => (BlockLevel)(-1),
        };
        if (level < 0)
        {
            return false;
        }

        // Hour-folder blocks have yyyy/mm/dd/hh before the file name, day blocks yyyy/mm/dd.
        var dateSegments = level == BlockLevel.Day ? 3 : 4;
        if (segments.Length < dateSegments + 2)
        {
            return false;
        }

        var parts = new int[4];
        for (var i = 0; i < dateSegments; i++)
        {
            if (!int.TryParse(segments[^(dateSegments + 1 - i)], NumberStyles.None, CultureInfo.InvariantCulture, out parts[i]))
            {
                return false;
            }
        }

        DateTimeOffset start;
        try
        {
            start = new DateTimeOffset(parts[0], parts[1], parts[2], parts[3], 0, 0, TimeSpan.Zero);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }

        block = new BlockRef(name, level, shard, first, last, start.ToUnixTimeMilliseconds(), etag);
        return true;
    }
}
