using BenchmarkDotNet.Attributes;
using PromLake.Ingest;
using PromLake.Ingest.Limits;
using PromLake.Ingest.Sharding;
using PromLake.Ingest.Tenancy;
using PromLake.LoadGenerator;
using PromLake.Protocol.RemoteWrite;
using PromLake.Protocol.Snappy;

namespace PromLake.Benchmarks;

/// <summary>
/// The CPU-bound part of a remote write: snappy decompression, decode, validate,
/// shard and encode into log events, for a request of 2,000 node_exporter-like
/// series with one sample each (what Prometheus sends with its default
/// max_samples_per_send). One operation is one sample, so the mean is the time
/// per sample and "Allocated" is the bytes allocated per series.
/// </summary>
[MemoryDiagnoser]
public class WritePathBenchmarks
{
    private const int SeriesPerRequest = 2000;

    private byte[] _compressed = [];
    private byte[] _body = [];
    private WritePipeline _pipeline = null!;
    private Tenant _tenant = null!;
    private RemoteWriteVersion _version;

    /// <summary>The remote-write specification version: 1 or 2.</summary>
    [Params(1, 2)]
    public int Spec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var timeline = ScrapeTimeline.StartingNow(TimeSpan.FromSeconds(15));
        var workload = ScrapeWorkload.Create(null, SeriesPerRequest, concurrency: 1, seed: 42, timeline);
        var batch = workload.Batches[0];
        if (batch.Count != SeriesPerRequest)
        {
            throw new InvalidOperationException($"expected {SeriesPerRequest} series, got {batch.Count}");
        }

        var raw = new RequestFactory(Spec == 1 ? RemoteWriteProtocol.V1 : RemoteWriteProtocol.V2, timeline, samplesPerSeries: 1).Encode(batch, use: 0);
        _compressed = Snappier.Snappy.CompressToArray(raw);
        _body = new byte[raw.Length];
        _version = Spec == 1 ? RemoteWriteVersion.V1 : RemoteWriteVersion.V2;
        _pipeline = new WritePipeline(new ShardRouter(16, ["__replica__", "prometheus_replica"]), 64 * 1024);
        _tenant = new Tenant("benchmark", new TenantLimits());
    }

    [Benchmark(OperationsPerInvoke = SeriesPerRequest)]
    public int DecompressDecodeValidateShardEncode()
    {
        SnappyBlock.TryGetDecompressedLength(_compressed, out var length, out _);
        SnappyBlock.TryDecompress(_compressed, _body.AsSpan(0, length), out _);
        var batch = _pipeline.Rent();
        WritePipeline.Decode(batch, _version, _body.AsMemory(0, length));
        _pipeline.Encode(batch, _tenant, 1_700_000_000_000);
        var events = batch.EventCount;
        if (batch.SamplesWritten != SeriesPerRequest)
        {
            throw new InvalidOperationException($"wrote {batch.SamplesWritten} samples");
        }

        _pipeline.Return(batch);
        return events;
    }

    [Benchmark(OperationsPerInvoke = SeriesPerRequest)]
    public int DecodeOnly()
    {
        SnappyBlock.TryGetDecompressedLength(_compressed, out var length, out _);
        SnappyBlock.TryDecompress(_compressed, _body.AsSpan(0, length), out _);
        var batch = _pipeline.Rent();
        WritePipeline.Decode(batch, _version, _body.AsMemory(0, length));
        var series = batch.Request.SeriesCount;
        _pipeline.Return(batch);
        return series;
    }
}
