using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PromLake.Ingest.Sharding;
using PromLake.Ingest.Tenancy;
using PromLake.Log;

namespace PromLake.Ingest;

public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// Registers the write path: tenants (<c>PromLake:Tenants</c>, <c>PromLake:Limits</c>),
    /// <c>PromLake:Ingest</c> options and the <see cref="RemoteWriteEndpoint"/>. The host
    /// registers an <see cref="ILogPublisher"/> (the local log or Event Hubs).
    /// </summary>
    public static IServiceCollection AddPromLakeIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestOptions>()
            .Bind(configuration.GetSection(IngestOptions.Section))
            .Validate(o =>
            {
                o.Validate();
                return true;
            })
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => TenantDirectory.FromConfiguration(configuration));
        services.AddSingleton(sp => new ShardRouter(
            sp.GetRequiredService<ILogPublisher>().ShardCount,
            sp.GetRequiredService<IOptions<IngestOptions>>().Value.ReplicaLabels));
        services.AddSingleton(sp => new WritePipeline(
            sp.GetRequiredService<ShardRouter>(),
            sp.GetRequiredService<IOptions<IngestOptions>>().Value.TargetEventBytes));
        services.TryAddSingleton(_ => new IngestMetrics());
        services.AddSingleton<RemoteWriteEndpoint>();
        return services;
    }
}
