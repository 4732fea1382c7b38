using BenchmarkDotNet.Attributes;
using PromLake.Ingest;
using PromLake.Ingest.Limits;
using PromLake.Ingest.Sharding;
using PromLake.Ingest.Tenancy;
using PromLake.LoadGenerator;
using PromLake.Protocol.RemoteWrite;
using PromLake.Storage.Compaction;
using PromLake.Storage.Parquet;

namespace PromLake.Benchmarks;

/// <summary>
/// The compactor's CPU work for one level-0 flush: decode the log events, drop
/// exact repeats, and write the Parquet block, for 60 scrapes of 2,000
/// node_exporter-like series (120,000 samples) as the write path encodes them
/// into one shard's events. One operation is one sample.
/// </summary>
[MemoryDiagnoser]
public class CompactionBenchmarks
{
    private const int Scrapes = 60;
    private const int SeriesPerRequest = 2000;
    private readonly List<byte[]> _events = [];

    [GlobalSetup]
    public void Setup()
    {
        var timeline = ScrapeTimeline.StartingNow(TimeSpan.FromSeconds(15));
        var workload = ScrapeWorkload.Create(null, SeriesPerRequest, concurrency: 1, seed: 7, timeline);
        var factory = new RequestFactory(RemoteWriteProtocol.V1, timeline, samplesPerSeries: 1);
        var pipeline = new WritePipeline(new ShardRouter(1, []), 64 * 1024);
        var tenant = new Tenant("benchmark", new TenantLimits());
        for (var use = 0; use < Scrapes; use++)
        {
            var body = factory.Encode(workload.Batches[0], use);
            var batch = pipeline.Rent();
            WritePipeline.Decode(batch, RemoteWriteVersion.V1, body);
            pipeline.Encode(batch, tenant, 1_700_000_000_000);
            foreach (var e in batch.Events[0])
            {
                _events.Add(e.Memory.ToArray());
            }

            pipeline.Return(batch);
        }
    }

    [Benchmark(OperationsPerInvoke = Scrapes * SeriesPerRequest)]
    public async Task<long> DecodeDeduplicateWriteParquet()
    {
        var buffer = new FlushBuffer();
        for (var i = 0; i < _events.Count; i++)
        {
            buffer.Add(i, i + 1, _events[i]);
        }

        long bytes = 0;
        var writer = new SampleBlockWriter();
        foreach (var partition in buffer.Partitions.Values)
        {
            using var stream = new MemoryStream();
            await writer.WriteAsync(L0Flush.Deduplicate(partition.Values), stream);
            bytes += stream.Length;
        }

        return bytes;
    }
}
