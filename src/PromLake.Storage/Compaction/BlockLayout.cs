using System.Globalization;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Where blocks live in the container, partitioned by SAMPLE time (not arrival),
/// so late and backfilled samples land in their own hour:
/// <c>&lt;tenant&gt;/&lt;yyyy&gt;/&lt;mm&gt;/&lt;dd&gt;/&lt;hh&gt;/l0-s&lt;shard&gt;-&lt;first&gt;-&lt;last&gt;.parquet</c>.
/// A level-0 name is deterministic from (shard, first log position, last log
/// position), so a flush repeated after a crash overwrites instead of duplicating.
/// </summary>
public static class BlockLayout
{
    public const long HourMs = 3_600_000;

    /// <summary>The start (ms) of the UTC hour holding <paramref name="timestampMs"/>.</summary>
    public static long HourOf(long timestampMs) => timestampMs - (((timestampMs % HourMs) + HourMs) % HourMs);

    public static string HourPrefix(string tenant, long hourStartMs)
    {
        var hour = DateTimeOffset.FromUnixTimeMilliseconds(hourStartMs).UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{Uri.EscapeDataString(tenant)}/{hour:yyyy}/{hour:MM}/{hour:dd}/{hour:HH}/");
    }

    public static string Level0(string tenant, long hourStartMs, int shard, long firstPosition, long lastPosition) =>
        string.Create(CultureInfo.InvariantCulture, $"{HourPrefix(tenant, hourStartMs)}l0-s{shard:D3}-{firstPosition:D20}-{lastPosition:D20}.parquet");

    public static string TenantPrefix(string tenant) => Uri.EscapeDataString(tenant) + "/";
}
