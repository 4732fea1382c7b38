using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PromLake.Log.EventHubs;

public static class EventHubsLogServiceCollectionExtensions
{
    /// <summary>True when <c>PromLake:EventHubs</c> names a hub (connection string or namespace).</summary>
    public static bool HasEventHubsLog(this IConfiguration configuration)
    {
        var options = new EventHubsLogOptions();
        configuration.GetSection(EventHubsLogOptions.Section).Bind(options);
        return options.IsConfigured;
    }

    /// <summary>
    /// Registers Event Hubs as the ingest log (<see cref="ILogPublisher"/> and
    /// <see cref="ILogReader"/>), with options from <c>PromLake:EventHubs</c> of the
    /// configuration root, and a start-up check that the hub's partitions match
    /// the shard count. Queries get a reader of their own (keyed <see cref="LogReaders.Query"/>)
    /// in <see cref="EventHubsLogOptions.QueryConsumerGroup"/>.
    /// </summary>
    public static IServiceCollection AddPromLakeEventHubsLog(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EventHubsLogOptions>()
            .Bind(configuration.GetSection(EventHubsLogOptions.Section))
            .Validate(o =>
            {
                o.Validate();
                return true;
            })
            .ValidateOnStart();
        services.AddSingleton(sp => new EventHubsLogPublisher(sp.GetRequiredService<IOptions<EventHubsLogOptions>>().Value));
        services.AddSingleton<ILogPublisher>(sp => sp.GetRequiredService<EventHubsLogPublisher>());
        services.AddSingleton(sp => new EventHubsLogReader(sp.GetRequiredService<IOptions<EventHubsLogOptions>>().Value));
        services.AddSingleton<ILogReader>(sp => sp.GetRequiredService<EventHubsLogReader>());
        // Queries read the tail in their own consumer group, with receivers of their own,
        // so they neither disturb the compactor's receivers nor are refused while it holds
        // a partition with an owner level.
        services.AddKeyedSingleton<ILogReader>(
            LogReaders.Query,
            (sp, _) => new EventHubsLogReader(sp.GetRequiredService<IOptions<EventHubsLogOptions>>().Value.ForQueries()));
        services.AddHostedService<PartitionCountCheck>();
        return services;
    }

    /// <summary>Stops the host at start-up when the hub's partitions do not match the shards.</summary>
    private sealed class PartitionCountCheck(EventHubsLogPublisher publisher) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => publisher.EnsurePartitionsMatchAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
