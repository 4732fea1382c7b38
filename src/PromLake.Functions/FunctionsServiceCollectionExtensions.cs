using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PromLake.Ingest;
using PromLake.Ingest.Tenancy;
using PromLake.Log;
using PromLake.Log.Blobs;
using PromLake.Log.EventHubs;
using PromLake.Query.Http;
using PromLake.Query.Store;
using PromLake.Storage.Compaction;

namespace PromLake.Functions;

/// <summary>The Functions app's wiring, shared by Program.cs and the tests so that both run the same services.</summary>
public static class FunctionsServiceCollectionExtensions
{
    public static IServiceCollection AddPromLakeFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // In Azure the ingest log is Event Hubs (PromLake:EventHubs, managed identity), and the compactor's checkpoints
        // and shard leases are blobs (PromLake:Checkpoints). Without Event Hubs the app falls back to the local file
        // log, durable per instance only (local runs, not Azure), with its local checkpoints, or with blob checkpoints
        // and leases when PromLake:Checkpoints is set.
        if (configuration.HasEventHubsLog())
        {
            services.AddPromLakeEventHubsLog(configuration);
            services.AddSingleton<ICheckpointStore>(BlobCheckpoints(configuration));
        }
        else
        {
            services.AddPromLakeLocalLog(configuration);
            if (configuration.GetSection(BlobCheckpointOptions.Section).Exists())
            {
                // Registered after the local log's LocalCheckpointStore, so ICheckpointStore resolves to this one.
                services.AddSingleton<ICheckpointStore>(BlobCheckpoints(configuration));
            }
        }

        services.AddPromLakeIngest(configuration);

        // Queries: the Prometheus HTTP API and remote read over the blocks and the log tail, per tenant, with the
        // same credentials as the write path (as in PromLake.Server).
        services.AddPromLakeQuery(configuration);
        services.AddPromLakeStoreQueries(configuration);
        services.AddSingleton<ITenantResolver>(sp =>
        {
            var directory = sp.GetRequiredService<TenantDirectory>();
            return TenantResolver.From(context => directory.Authenticate(context.Request.Headers.Authorization)?.Id);
        });

        // The compactor, one bounded pass per timer run (CompactorFunction): flush, merges, and retention, which is
        // the tenants' limit the write path enforces.
        services.AddSingleton(sp =>
        {
            var tenants = sp.GetRequiredService<TenantDirectory>();
            return new TenantRetention(tenants.Defaults.RetentionDays, tenants.Tenants.ToDictionary(t => t.Key, t => t.Value.Limits.RetentionDays));
        });
        services.AddPromLakeCompactionPass(configuration);
        return services;
    }

    private static BlobCheckpointStore BlobCheckpoints(IConfiguration configuration)
    {
        var options = new BlobCheckpointOptions();
        configuration.GetSection(BlobCheckpointOptions.Section).Bind(options);
        // With ServiceUri (Azure) the token credential is the app's identity: DefaultAzureCredential picks the
        // user-assigned one named by AZURE_CLIENT_ID. A connection string (Azurite) needs none.
        var container = options.ServiceUri is null ? options.CreateContainerClient() : options.CreateContainerClient(new DefaultAzureCredential());
        return new BlobCheckpointStore(container, options);
    }
}
