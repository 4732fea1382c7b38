using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PromLake.Query.RemoteRead;

namespace PromLake.Query.Http;

public static class QueryApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Prometheus HTTP API and remote read: <c>PromLake:Query</c> options (validated at start-up)
    /// and one singleton per endpoint. The host also registers an <see cref="ITenantResolver"/> (its credentials,
    /// e.g. <c>TenantResolver.From(...)</c>) and an <see cref="ITenantSeriesSource"/> (its storage), and may
    /// register an <see cref="ITenantMetadataSource"/>.
    /// </summary>
    public static IServiceCollection AddPromLakeQuery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<QueryApiOptions>()
            .Bind(configuration.GetSection(QueryApiOptions.Section))
            .Validate(o =>
            {
                o.Validate();
                return true;
            })
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<QueryApiOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InstantQueryEndpoint>();
        services.TryAddSingleton<RangeQueryEndpoint>();
        services.TryAddSingleton<SeriesEndpoint>();
        services.TryAddSingleton<LabelNamesEndpoint>();
        services.TryAddSingleton<LabelValuesEndpoint>();
        services.TryAddSingleton(sp => new MetadataEndpoint(sp.GetRequiredService<ITenantResolver>(), sp.GetService<ITenantMetadataSource>()));
        services.TryAddSingleton<QueryExemplarsEndpoint>();
        services.TryAddSingleton<BuildInfoEndpoint>();
        services.TryAddSingleton<RulesEndpoint>();
        services.TryAddSingleton<RemoteReadEndpoint>();
        return services;
    }
}
