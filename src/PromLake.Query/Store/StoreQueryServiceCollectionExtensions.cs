using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PromLake.Log;
using PromLake.Query.Http;
using PromLake.Storage.Compaction;

namespace PromLake.Query.Store;

public static class StoreQueryServiceCollectionExtensions
{
    /// <summary>
    /// Serves each tenant's queries from the block store (<c>PromLake:Storage</c>)
    /// and the log tail past the compactor's checkpoint, so that data is queryable
    /// from the moment it is acknowledged. Decoded blocks and, for a few seconds, listings are
    /// shared by all tenants' queries (<c>PromLake:Query:Blocks</c>), keyed by tenant.
    /// </summary>
    public static IServiceCollection AddPromLakeStoreQueries(this IServiceCollection services, IConfiguration configuration)
    {
        var store = new BlockStoreOptions();
        configuration.GetSection(BlockStoreOptions.Section).Bind(store);
        var compactor = new CompactorOptions();
        configuration.GetSection(CompactorOptions.Section).Bind(compactor);
        var blocks = new BlockQueryOptions();
        configuration.GetSection(BlockQueryOptions.Section).Bind(blocks);
        blocks.Validate();
        var container = store.CreateContainerClient();
        var cache = new BlockCache(blocks.CacheMaxBytes);
        var listings = new BlockListingCache(blocks.ListingMaxAge);
        services.AddSingleton<ITenantSeriesSource>(sp => TenantSeriesSource.From(tenant => new BlockStoreQuerier(
            tenant,
            container,
            sp.GetKeyedService<ILogReader>(LogReaders.Query) ?? sp.GetService<ILogReader>(),
            sp.GetService<ICheckpointStore>(),
            compactor.Consumer,
            compactor.ReplicaLabels,
            cache,
            listings)));
        return services;
    }
}
