using System.Collections.Concurrent;

namespace PromLake.Query.Store;

/// <summary>
/// The latest <see cref="BlockListing"/> per (account and container, tenant), reused for at most
/// <see cref="MaxAge"/>, so that the queries of a dashboard refresh, or a user's repeated query,
/// do not each read the checkpoints and list every hour again. Only for a store with a log: the
/// listing is only complete together with the log tail from its checkpoints. A listing is dropped
/// early when a block it names has gone (merged away or deleted by retention).
/// </summary>
public sealed class BlockListingCache(TimeSpan maxAge, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<(string Container, string Tenant), BlockListing> _latest = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How long a listing is reused; zero turns reuse off.</summary>
    public TimeSpan MaxAge { get; } = maxAge;

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The tenant's listing if one was started less than <see cref="MaxAge"/> ago.</summary>
    public BlockListing? Fresh(string container, string tenant)
    {
        if (MaxAge <= TimeSpan.Zero || !_latest.TryGetValue((container, tenant), out var listing))
        {
            return null;
        }

        return Now - listing.CheckpointsReadAt < MaxAge ? listing : null;
    }

    public void Keep(string container, string tenant, BlockListing listing)
    {
        if (MaxAge > TimeSpan.Zero)
        {
            _latest[(container, tenant)] = listing;
        }
    }

    public void Drop(string container, string tenant, BlockListing listing) =>
        _latest.TryRemove(new KeyValuePair<(string, string), BlockListing>((container, tenant), listing));
}
