using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Deletes each tenant's day partitions (<c>&lt;tenant&gt;/yyyy/mm/dd/</c>, every blob in them) once the whole day
/// is past the tenant's retention (<see cref="TenantRetention"/>). Whole days only: a day partly inside retention is
/// kept, so a query never sees a day with holes, and queries at most one day longer than asked. Blob storage has no
/// folder delete, so each blob is deleted; a sweep cut short is finished by the next one. Merges leave days past
/// retention alone, so nothing writes into a day while it is deleted (a level-0 flush of a sample accepted at the
/// boundary may still land there; the next sweep deletes it).
/// </summary>
public sealed partial class RetentionSweep
{
    private readonly BlobContainerClient _container;
    private readonly BlockCatalog _catalog;
    private readonly TenantRetention _retention;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    public RetentionSweep(BlobContainerClient container, TenantRetention retention, TimeProvider? clock, ILogger logger)
    {
        _container = container;
        _retention = retention;
        _clock = clock ?? TimeProvider.System;
        _catalog = new BlockCatalog(container, _clock);
        _logger = logger;
    }

    /// <summary>Deletes every day past retention; returns the day prefixes deleted.</summary>
    public async Task<List<string>> RunAsync(CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        var now = _clock.GetUtcNow();
        foreach (var tenant in await _catalog.ListTenantsAsync(cancellationToken).ConfigureAwait(false))
        {
            var firstKept = _retention.FirstKeptDay(tenant, now);
            foreach (var day in await _catalog.ListDaysAsync(tenant, cancellationToken).ConfigureAwait(false))
            {
                if (day >= firstKept)
                {
                    break; // oldest first: the rest are kept too
                }

                var prefix = BlockLayout.DayPrefix(tenant, day);
                var blobs = 0;
                await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
                {
                    await _container.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    blobs++;
                }

                deleted.Add(prefix);
                LogDeleted(tenant, prefix, blobs, _retention.DaysOf(tenant));
            }
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}: deleted {Prefix} ({Blobs} blobs), past the retention of {Days} days")]
    private partial void LogDeleted(string tenant, string prefix, int blobs, int days);
}
