using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PromLake.Log;

public static class LocalLogServiceCollectionExtensions
{
    /// <summary>
    /// Registers the local durable log (one <see cref="LocalFileLog"/> serving as
    /// <see cref="ILogPublisher"/> and <see cref="ILogReader"/>) and its
    /// <see cref="LocalCheckpointStore"/>, with options bound from the
    /// <c>PromLake:Log</c> section of <paramref name="configuration"/> (the app's
    /// configuration root) and validated when the host starts.
    /// </summary>
    public static IServiceCollection AddPromLakeLocalLog(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LocalLogOptions>().Bind(configuration.GetSection(LocalLogOptions.Section)).ValidateOnStart();
        return services.AddLocalLogServices();
    }

    /// <summary>Registers the local durable log with options set in code, validated when the host starts.</summary>
    public static IServiceCollection AddPromLakeLocalLog(this IServiceCollection services, Action<LocalLogOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LocalLogOptions>().Configure(configure).ValidateOnStart();
        return services.AddLocalLogServices();
    }

    private static IServiceCollection AddLocalLogServices(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LocalLogOptions>, LocalLogOptionsValidator>());

        // One instance per folder: it holds the folder's lock and the shards' FasterLogs.
        services.TryAddSingleton(provider => new LocalFileLog(provider.GetRequiredService<IOptions<LocalLogOptions>>().Value));
        services.AddSingleton<ILogPublisher>(provider => provider.GetRequiredService<LocalFileLog>());
        services.AddSingleton<ILogReader>(provider => provider.GetRequiredService<LocalFileLog>());
        services.AddKeyedSingleton<ILogReader>(LogReaders.Query, (provider, _) => provider.GetRequiredService<LocalFileLog>());

        services.TryAddSingleton(provider => new LocalCheckpointStore(provider.GetRequiredService<IOptions<LocalLogOptions>>().Value));
        services.AddSingleton<ICheckpointStore>(provider => provider.GetRequiredService<LocalCheckpointStore>());
        return services;
    }
}
