namespace PromLake.Query.Store;

/// <summary>How queries read the block store (<c>PromLake:Query:Blocks</c>).</summary>
public sealed record BlockQueryOptions
{
    public const string Section = "PromLake:Query:Blocks";

    /// <summary>Heap the decoded blocks may take (<see cref="BlockCache"/>); 1 GiB.</summary>
    public long CacheMaxBytes { get; init; } = BlockCache.DefaultMaxBytes;

    /// <summary>
    /// How long a tenant's block listing is reused with the checkpoints read before it
    /// (<see cref="BlockListingCache"/>); zero lists for every query. Longer saves more round
    /// trips and makes each query read a longer log tail.
    /// </summary>
    public TimeSpan ListingMaxAge { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws with a message naming the setting when a value cannot work.</summary>
    public void Validate()
    {
        if (CacheMaxBytes < 0)
        {
            throw new InvalidOperationException($"{Section}:{nameof(CacheMaxBytes)} must be 0 (no cache) or positive, got {CacheMaxBytes}");
        }

        if (ListingMaxAge < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{Section}:{nameof(ListingMaxAge)} must be 0 (no reuse) or positive, got {ListingMaxAge}");
        }
    }
}
