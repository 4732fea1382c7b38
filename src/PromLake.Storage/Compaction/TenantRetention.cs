namespace PromLake.Storage.Compaction;

/// <summary>
/// How long each tenant's samples are kept, in whole days. The setting is the tenant's limit
/// <c>PromLake:Limits:RetentionDays</c> (or <c>PromLake:Tenants:&lt;id&gt;:Limits:RetentionDays</c>), which the
/// write path reads too, to refuse samples already past it; the hosts hand the values the write path validated at
/// start-up to the compactor through this class, so the two can never disagree.
/// </summary>
public sealed class TenantRetention
{
    private readonly IReadOnlyDictionary<string, int> _tenants;

    /// <param name="defaultDays">For tenants without a setting of their own, and for data of tenants no longer configured.</param>
    /// <param name="tenants">Per-tenant days.</param>
    public TenantRetention(int defaultDays, IReadOnlyDictionary<string, int>? tenants = null)
    {
        if (defaultDays < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(defaultDays), defaultDays, "retention must be at least one day");
        }

        DefaultDays = defaultDays;
        _tenants = tenants ?? new Dictionary<string, int>();
        foreach (var (tenant, days) in _tenants)
        {
            if (days < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(tenants), days, $"tenant {tenant}: retention must be at least one day");
            }
        }
    }

    public int DefaultDays { get; }

    public int DaysOf(string tenant) => _tenants.TryGetValue(tenant, out var days) ? days : DefaultDays;

    /// <summary>
    /// The first day (UTC start, ms) still kept at <paramref name="now"/>: days that end before
    /// <c>now − retention</c> are entirely past it and are deleted whole.
    /// </summary>
    public long FirstKeptDay(string tenant, DateTimeOffset now) =>
        BlockLayout.DayOf(now.ToUnixTimeMilliseconds() - (DaysOf(tenant) * BlockLayout.DayMs));
}
