using System.Globalization;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Where blocks live in the container, partitioned by SAMPLE time (not arrival),
/// so late and backfilled samples land in their own hour:
/// <c>&lt;tenant&gt;/&lt;yyyy&gt;/&lt;mm&gt;/&lt;dd&gt;/&lt;hh&gt;/l0-s&lt;shard&gt;-&lt;first&gt;-&lt;last&gt;.parquet</c> (level 0, a flush),
/// <c>…/&lt;hh&gt;/h-s&lt;shard&gt;-&lt;first&gt;-&lt;last&gt;.parquet</c> (an hour merge) and
/// <c>&lt;tenant&gt;/&lt;yyyy&gt;/&lt;mm&gt;/&lt;dd&gt;/d-s&lt;shard&gt;-&lt;first&gt;-&lt;last&gt;.parquet</c> (a day merge, in the day folder).
/// Every name is deterministic from (level, shard, first log position, last log
/// position), so work repeated after a crash overwrites instead of duplicating;
/// <see cref="BlockRef"/> parses them back.
/// </summary>
public static class BlockLayout
{
    public const long HourMs = 3_600_000;

    public const long DayMs = 24 * HourMs;

    /// <summary>The start (ms) of the UTC hour holding <paramref name="timestampMs"/>.</summary>
    public static long HourOf(long timestampMs) => timestampMs - (((timestampMs % HourMs) + HourMs) % HourMs);

    /// <summary>The start (ms) of the UTC day holding <paramref name="timestampMs"/>.</summary>
    public static long DayOf(long timestampMs) => timestampMs - (((timestampMs % DayMs) + DayMs) % DayMs);

    public static string DayPrefix(string tenant, long dayStartMs)
    {
        var day = DateTimeOffset.FromUnixTimeMilliseconds(dayStartMs).UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{Uri.EscapeDataString(tenant)}/{day:yyyy}/{day:MM}/{day:dd}/");
    }

    public static string HourPrefix(string tenant, long hourStartMs)
    {
        var hour = DateTimeOffset.FromUnixTimeMilliseconds(hourStartMs).UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{Uri.EscapeDataString(tenant)}/{hour:yyyy}/{hour:MM}/{hour:dd}/{hour:HH}/");
    }

    public static string Level0(string tenant, long hourStartMs, int shard, long firstPosition, long lastPosition) =>
        string.Create(CultureInfo.InvariantCulture, $"{HourPrefix(tenant, hourStartMs)}l0-s{shard:D3}-{firstPosition:D20}-{lastPosition:D20}.parquet");

    public static string Hour(string tenant, long hourStartMs, int shard, long firstPosition, long lastPosition) =>
        string.Create(CultureInfo.InvariantCulture, $"{HourPrefix(tenant, hourStartMs)}h-s{shard:D3}-{firstPosition:D20}-{lastPosition:D20}.parquet");

    public static string Day(string tenant, long dayStartMs, int shard, long firstPosition, long lastPosition) =>
        string.Create(CultureInfo.InvariantCulture, $"{DayPrefix(tenant, dayStartMs)}d-s{shard:D3}-{firstPosition:D20}-{lastPosition:D20}.parquet");

    public static string TenantPrefix(string tenant) => Uri.EscapeDataString(tenant) + "/";
}
