using Azure.Storage.Blobs;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using PromLake.Log;
using PromLake.Protocol.LogEvents;
using PromLake.Storage.Compaction;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.Storage.Tests.Compaction;

/// <summary>One sample of one series, as a sender writes it.</summary>
public sealed record Written(Label[] Labels, long Timestamp, double Value);

/// <summary>
/// The real front half of the store for merge tests: a one-shard local log, its checkpoints, and the level-0
/// compactor writing into a test's own Azurite container. Each <see cref="FlushAsync"/> is one bounded compactor
/// run, so a test decides exactly which level-0 blocks exist.
/// </summary>
public sealed class ShardLogHarness : IAsyncDisposable
{
    public const string Tenant = "t1";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "promlake-merge-" + Guid.NewGuid().ToString("N"));

    public ShardLogHarness(BlobContainerClient container)
    {
        Container = container;
        var logOptions = new LocalLogOptions { Directory = _directory, ShardCount = 1 };
        Log = new LocalFileLog(logOptions);
        Checkpoints = new LocalCheckpointStore(logOptions);
    }

    public BlobContainerClient Container { get; }

    public LocalFileLog Log { get; }

    public LocalCheckpointStore Checkpoints { get; }

    public CompactorOptions Options { get; } = new() { DrainWait = TimeSpan.FromMilliseconds(50), RetryDelay = TimeSpan.FromMilliseconds(100) };

    public static Label[] SeriesLabels(string name, params (string Name, string Value)[] labels) =>
        [new Label(Label.MetricName, name), .. labels.Select(l => new Label(l.Name, l.Value))];

    /// <summary>Appends one log event holding <paramref name="samples"/>.</summary>
    public async Task PublishAsync(params Written[] samples) => await Log.PublishAsync(0, [Event(samples)]);

    /// <summary>Compacts everything published so far into level-0 blocks and commits the checkpoint.</summary>
    public async Task FlushAsync()
    {
        var compactor = new ShardCompactor(0, Log, Checkpoints, new L0Flush(Container, new SampleBlockWriter()), Options, NullLogger.Instance);
        await compactor.RunBoundedAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
    }

    /// <summary>Publishes and flushes: one level-0 block per hour the samples fall in.</summary>
    public async Task WriteBlockAsync(params Written[] samples)
    {
        await PublishAsync(samples);
        await FlushAsync();
    }

    /// <summary>The shard's committed checkpoint, as the compactor hosts pass it to a merge.</summary>
    public async Task<Dictionary<int, long>> CommittedAsync() =>
        new() { [0] = await Checkpoints.GetAsync(Options.Consumer, 0) ?? LogPosition.Start };

    public MergePass Merges(TimeProvider clock, BlockMerge? merge = null, TenantRetention? retention = null) =>
        new(Container, Options, retention, clock, NullLogger.Instance, merge);

    public async Task<List<string>> BlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in Container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>Every series of one blob, as stored.</summary>
    public async Task<List<StoredSeries>> ReadBlockAsync(string name)
    {
        var content = await Container.GetBlobClient(name).DownloadContentAsync();
        await using var reader = await SampleBlockReader.OpenAsync(content.Value.Content.ToStream());
        return (await reader.ReadAsync()).Series;
    }

    public async ValueTask DisposeAsync()
    {
        await Log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static ReadOnlyMemory<byte> Event(Written[] samples)
    {
        var request = new V2.Request { Symbols = { "" } };
        var symbols = new Dictionary<string, uint> { [""] = 0 };
        uint Symbol(string s)
        {
            if (!symbols.TryGetValue(s, out var id))
            {
                symbols[s] = id = (uint)request.Symbols.Count;
                request.Symbols.Add(s);
            }

            return id;
        }

        foreach (var sample in samples)
        {
            var series = new V2.TimeSeries { Samples = { new V2.Sample { Value = sample.Value, Timestamp = sample.Timestamp } } };
            foreach (var label in sample.Labels.OrderBy(l => l.Name, StringComparer.Ordinal))
            {
                series.LabelsRefs.Add(Symbol(label.Name));
                series.LabelsRefs.Add(Symbol(label.Value));
            }

            request.Timeseries.Add(series);
        }

        var receivedAt = samples.Length > 0 ? samples.Max(s => s.Timestamp) : 0;
        return new IngestEvent { FormatVersion = IngestEventFormat.CurrentVersion, Tenant = Tenant, ReceivedAtMs = receivedAt, Shard = 0, Request = request }.ToByteArray();
    }
}
