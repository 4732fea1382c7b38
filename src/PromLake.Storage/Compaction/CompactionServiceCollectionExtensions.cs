using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PromLake.Log;

namespace PromLake.Storage.Compaction;

public static class CompactionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the background compactor over the host's log and checkpoint store,
    /// writing blocks to <c>PromLake:Storage</c> (Azurite by default), configured by
    /// <c>PromLake:Compactor</c>. Set <c>PromLake:Compactor:Enabled</c> to false to run
    /// the write path alone. Over the local log it also truncates what the compactor has long passed
    /// (<see cref="LocalLogTruncation"/>). Retention is enforced when the host registers a
    /// <see cref="TenantRetention"/> (both hosts do, from the tenants' limits).
    /// </summary>
    public static IServiceCollection AddPromLakeCompactor(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(CompactorOptions.Section);
        if (!section.GetValue("Enabled", true))
        {
            return services;
        }

        var (options, store) = ReadOptions(configuration);
        services.AddHostedService(sp => new CompactorService(
            sp.GetRequiredService<ILogReader>(),
            sp.GetRequiredService<ICheckpointStore>(),
            store.CreateContainerClient(),
            options,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<TenantRetention>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService(sp => new LocalLogTruncation(
            sp.GetService<LocalFileLog>(), sp.GetRequiredService<ICheckpointStore>(), options, sp.GetRequiredService<ILogger<LocalLogTruncation>>(), sp.GetService<TimeProvider>()));
        return services;
    }

    /// <summary><c>PromLake:Compactor</c> and <c>PromLake:Storage</c>, bound and validated (a bad setting stops the start).</summary>
    internal static (CompactorOptions Compactor, BlockStoreOptions Store) ReadOptions(IConfiguration configuration)
    {
        var options = new CompactorOptions();
        configuration.GetSection(CompactorOptions.Section).Bind(options);
        options.Validate();
        var store = new BlockStoreOptions();
        configuration.GetSection(BlockStoreOptions.Section).Bind(store);
        store.Validate();
        return (options, store);
    }
}
