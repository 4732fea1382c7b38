using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Which blocks a reader must read for a tenant and a time range, while merges run. A tenant's blocks are listed
/// one UTC day at a time (a day prefix holds its hour folders and its day blocks, so one listing answers for the
/// whole day, never one per hour); every block made redundant by a merged block is dropped (the rule is
/// <see cref="BlockRef.Covers"/>), and what is left comes back per shard in log-position order, the order the
/// last-written-wins rule needs (explicitly sorted: in name order a day's <c>d-</c> blocks come after its hour
/// folders, whatever their positions).
/// </summary>
/// <remarks>
/// A merge writes its block before it deletes the blocks it replaces, so at any moment a listing sees either the
/// sources, or the merged block (with or without some of the sources): with supersession each sample is read once.
/// A source deleted between the listing and its download is the one window left; <see cref="ReadAsync{T}"/> closes
/// it by listing that day again and reading it anew, which then finds the merged block.
/// </remarks>
public sealed class BlockCatalog
{
    /// <summary>Listings of one day before giving up: each retry means a merge finished in between, which is rare.</summary>
    public const int MaxAttempts = 10;

    private readonly BlobContainerClient _container;
    private readonly TimeProvider _clock;

    public BlockCatalog(BlobContainerClient container, TimeProvider? clock = null)
    {
        _container = container;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Every block of the tenant's day, superseded or not, in log order.</summary>
    public async Task<List<BlockRef>> ListDayAsync(string tenant, long dayStart, CancellationToken cancellationToken)
    {
        var blocks = new List<BlockRef>();
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, BlockLayout.DayPrefix(tenant, dayStart), cancellationToken).ConfigureAwait(false))
        {
            if (BlockRef.TryParse(blob.Name, blob.Properties.ETag?.ToString() ?? "", out var block))
            {
                blocks.Add(block);
            }
        }

        blocks.Sort(BlockRef.CompareLogOrder);
        return blocks;
    }

    /// <summary>The blocks no other block of the list covers, in the list's order.</summary>
    public static List<BlockRef> Live(IReadOnlyList<BlockRef> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var live = new List<BlockRef>(blocks.Count);
        foreach (var block in blocks)
        {
            var covered = false;
            foreach (var other in blocks)
            {
                if (other.Covers(block))
                {
                    covered = true;
                    break;
                }
            }

            if (!covered)
            {
                live.Add(block);
            }
        }

        return live;
    }

    /// <summary>The blocks to read for samples in [<paramref name="minT"/>, <paramref name="maxT"/>], per shard in log order.</summary>
    public async Task<List<BlockRef>> ListAsync(string tenant, long minT, long maxT, CancellationToken cancellationToken)
    {
        var result = new List<BlockRef>();
        foreach (var day in Days(minT, maxT))
        {
            result.AddRange(Needed(await ListDayAsync(tenant, day, cancellationToken).ConfigureAwait(false), minT, maxT));
        }

        result.Sort(BlockRef.CompareLogOrder);
        return result;
    }

    /// <summary>
    /// Reads every block needed for [<paramref name="minT"/>, <paramref name="maxT"/>] with <paramref name="read"/>
    /// and returns the results per shard in log order. When a block has gone (404: a merge deleted it after writing
    /// the block that replaces it) the results of its day are dropped and the day is listed and read again, so the
    /// caller sees each sample once and misses none.
    /// </summary>
    public async Task<List<(BlockRef Block, T Result)>> ReadAsync<T>(string tenant, long minT, long maxT, Func<BlockRef, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var results = new List<(BlockRef Block, T Result)>();
        foreach (var day in Days(minT, maxT))
        {
            for (var attempt = 1; ; attempt++)
            {
                var blocks = Needed(await ListDayAsync(tenant, day, cancellationToken).ConfigureAwait(false), minT, maxT);
                var dayResults = new List<(BlockRef, T)>(blocks.Count);
                try
                {
                    foreach (var block in blocks)
                    {
                        dayResults.Add((block, await read(block, cancellationToken).ConfigureAwait(false)));
                    }
                }
                catch (RequestFailedException e) when (e.Status == 404 && attempt < MaxAttempts)
                {
                    continue;
                }

                results.AddRange(dayResults);
                break;
            }
        }

        results.Sort(static (a, b) => BlockRef.CompareLogOrder(a.Block, b.Block));
        return results;
    }

    /// <summary>The tenants that have blocks (the top-level folders of the container), unescaped.</summary>
    public async Task<List<string>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        var tenants = new List<string>();
        await foreach (var folder in FoldersAsync("", cancellationToken).ConfigureAwait(false))
        {
            tenants.Add(Uri.UnescapeDataString(folder));
        }

        return tenants;
    }

    /// <summary>The UTC days (start, ms) for which the tenant has a folder, oldest first: years, then months, then days.</summary>
    public async Task<List<long>> ListDaysAsync(string tenant, CancellationToken cancellationToken)
    {
        var days = new List<long>();
        var tenantPrefix = BlockLayout.TenantPrefix(tenant);
        await foreach (var year in FoldersAsync(tenantPrefix, cancellationToken).ConfigureAwait(false))
        {
            await foreach (var month in FoldersAsync($"{tenantPrefix}{year}/", cancellationToken).ConfigureAwait(false))
            {
                await foreach (var day in FoldersAsync($"{tenantPrefix}{year}/{month}/", cancellationToken).ConfigureAwait(false))
                {
                    if (int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out var y)
                        && int.TryParse(month, NumberStyles.None, CultureInfo.InvariantCulture, out var m)
                        && int.TryParse(day, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
                        && y is >= 1970 and <= 9999 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m))
                    {
                        days.Add(new DateTimeOffset(y, m, d, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());
                    }
                }
            }
        }

        days.Sort();
        return days;
    }

    /// <summary>The names of the folders directly under <paramref name="prefix"/>, without slashes.</summary>
    private async IAsyncEnumerable<string> FoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", prefix, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix)
            {
                yield return item.Prefix[prefix.Length..^1];
            }
        }
    }

    /// <summary>The UTC days [minT, maxT] touches, up to a day past now (nothing is stored later than that).</summary>
    private IEnumerable<long> Days(long minT, long maxT)
    {
        var first = BlockLayout.DayOf(Math.Max(minT, 0));
        var last = BlockLayout.DayOf(Math.Min(maxT, _clock.GetUtcNow().AddDays(1).ToUnixTimeMilliseconds()));
        for (var day = first; day <= last; day += BlockLayout.DayMs)
        {
            yield return day;
        }
    }

    /// <summary>Supersession over the whole day first (a day block covers every hour), then only the hours asked for.</summary>
    public static List<BlockRef> Needed(IReadOnlyList<BlockRef> day, long minT, long maxT) =>
        Live(day).FindAll(b => b.PartitionStart <= maxT && b.PartitionEnd > minT);
}
