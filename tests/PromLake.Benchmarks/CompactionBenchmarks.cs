using BenchmarkDotNet.Attributes;
using PromLake.Ingest;
using PromLake.Ingest.Limits;
using PromLake.Ingest.Sharding;
using PromLake.Ingest.Tenancy;
using PromLake.LoadGenerator;
using PromLake.Protocol.LogEvents;
using PromLake.Protocol.RemoteWrite;
using PromLake.Storage.Compaction;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Benchmarks;

/// <summary>
/// The compactor's CPU work for one level-0 flush of one shard: the log events' bytes
/// decoded into series per (tenant, hour), exact repeats dropped, and the Parquet block
/// written (zstd, the level-0 setting). One operation is one sample.
/// <para>
/// The shape is what the default 5 s flush sees from real Prometheus: 60,000 samples of
/// node_exporter-like series, sent in requests of 2,000 samples (Prometheus's default
/// max_samples_per_send; one sample per series per request) and encoded into the log by the
/// write path. <see cref="SamplesPerSeries"/> is how many of a series' samples one flush
/// holds: 5 for a 1 s scrape interval (12,000 series), 1 for 15 s (60,000 series, a third
/// of a fleet's series in each 5 s flush).
/// </para>
/// </summary>
[MemoryDiagnoser]
public class CompactionBenchmarks
{
    private const int SamplesPerFlush = 60_000;
    private const int SeriesPerRequest = 2_000;
    private readonly List<byte[]> _events = [];
    private readonly FlushBuffer _buffer = new();
    private readonly SampleBlockWriter _writer = new(SampleBlockWriterOptions.Level0);
    private readonly MemoryStream _block = new();

    [Params(1, 5)]
    public int SamplesPerSeries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // 10 minutes into an hour, so that one flush is one block.
        var timeline = new ScrapeTimeline(1_700_000_000_000 - (1_700_000_000_000 % 3_600_000) + 600_000, 1_000);
        var series = SamplesPerFlush / SamplesPerSeries;
        var workload = ScrapeWorkload.Create(null, SeriesPerRequest, concurrency: series / SeriesPerRequest / 2, seed: 7, timeline);
        var factory = new RequestFactory(RemoteWriteProtocol.V1, timeline, samplesPerSeries: 1);
        var pipeline = new WritePipeline(new ShardRouter(1, []), IngestEventFormat.DefaultTargetEventBytes);
        var tenant = new Tenant("benchmark", new TenantLimits());
        for (var round = 0; round < SamplesPerSeries; round++)
        {
            for (var b = 0; b < series / SeriesPerRequest; b++)
            {
                var batch = pipeline.Rent();
                WritePipeline.Decode(batch, RemoteWriteVersion.V1, factory.Encode(workload.Batches[b], round));
                pipeline.Encode(batch, tenant, timeline.StartMs);
                foreach (var e in batch.Events[0])
                {
                    _events.Add(e.Memory.ToArray());
                }

                pipeline.Return(batch);
            }
        }
    }

    /// <summary>
    /// The path before issue #4's rewrite, kept as the baseline: events parsed with the
    /// Google.Protobuf classes (an object per sample), series gathered as the shared model,
    /// then written through the writer's public entry point.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SamplesPerFlush)]
    public async Task<long> ProtobufClassesIntoStoredSeries()
    {
        var builder = new SeriesBatchBuilder();
        foreach (var e in _events)
        {
            builder.Add(IngestEvent.Parser.ParseFrom(e));
        }

        _block.SetLength(0);
        await _writer.WriteAsync(L0Flush.Deduplicate(builder.Series), _block);
        return _block.Length;
    }

    /// <summary>The compactor's path: hand-decoded into reused per-series columns, written from them.</summary>
    [Benchmark(OperationsPerInvoke = SamplesPerFlush)]
    public async Task<long> HandDecodedIntoColumns()
    {
        Decode();
        long bytes = 0;
        foreach (var partition in _buffer.Blocks)
        {
            _block.SetLength(0);
            await L0Flush.WriteBlockAsync(_writer, partition, _block);
            bytes += _block.Length;
        }

        return bytes;
    }

    /// <summary>The decoding part of <see cref="HandDecodedIntoColumns"/> alone.</summary>
    [Benchmark(OperationsPerInvoke = SamplesPerFlush)]
    public int DecodeOnly()
    {
        Decode();
        return _buffer.Events;
    }

    private void Decode()
    {
        _buffer.Clear();
        for (var i = 0; i < _events.Count; i++)
        {
            _buffer.Add(i, i + 1, _events[i]);
        }
    }
}
