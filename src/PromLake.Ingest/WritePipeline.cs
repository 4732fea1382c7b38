using System.Collections.Concurrent;
using PromLake.Ingest.Sharding;
using PromLake.Ingest.Tenancy;
using PromLake.Ingest.Validation;
using PromLake.Protocol.RemoteWrite;

namespace PromLake.Ingest;

/// <summary>
/// Decode → validate → shard → encode, with no HTTP and no I/O: the CPU-bound
/// heart of the write path, benchmarked on its own. Batches are pooled so the
/// steady state allocates (almost) nothing per series.
/// </summary>
public sealed class WritePipeline
{
    private const int MaxProblemsReported = 10;

    private readonly ShardRouter _router;
    private readonly int _targetEventBytes;
    private readonly ConcurrentBag<WriteBatch> _pool = [];

    public WritePipeline(ShardRouter router, int targetEventBytes)
    {
        _router = router;
        _targetEventBytes = targetEventBytes;
    }

    public int ShardCount => _router.ShardCount;

    public WriteBatch Rent() => _pool.TryTake(out var batch) ? batch : new WriteBatch(_router.ShardCount, _targetEventBytes);

    public void Return(WriteBatch batch)
    {
        batch.Reset();
        _pool.Add(batch);
    }

    /// <summary>Decodes the decompressed body; throws <see cref="Protocol.Wire.WireFormatException"/> when malformed.</summary>
    public static void Decode(WriteBatch batch, RemoteWriteVersion version, ReadOnlyMemory<byte> body)
    {
        if (version == RemoteWriteVersion.V2)
        {
            WriteV2RequestDecoder.Decode(batch.Request, body);
        }
        else
        {
            WriteRequestDecoder.Decode(batch.Request, body);
        }
    }

    /// <summary>Samples plus histograms: what the ingestion rate limit counts.</summary>
    public static int RateCost(WriteBatch batch) => batch.Request.SampleCount + batch.Request.HistogramCount;

    /// <summary>Validates every series and encodes the valid ones into per-shard events.</summary>
    public void Encode(WriteBatch batch, Tenant tenant, long receivedAtMs)
    {
        var request = batch.Request;
        var body = request.Body.Span;
        var limits = tenant.Limits;
        var series = request.Series;
        for (var i = 0; i < series.Length; i++)
        {
            ref readonly var s = ref series[i];
            var labels = request.LabelsOf(s);
            string? detail = null;
            var reason = s.Defect is not null ? RefusalReason.InvalidSeries : SeriesValidator.Validate(body, labels, limits, out detail);
            reason ??= SeriesValidator.ValidateAge(request, s, limits, receivedAtMs, out detail);
            if (reason is not null)
            {
                detail = s.Defect ?? detail;
                Refuse(batch, body, s, labels, i, reason, detail);
                continue;
            }

            var shard = _router.ShardOf(tenant.IdUtf8, body, labels, ref batch.HashScratch);
            BuilderFor(batch, shard, tenant, receivedAtMs).AddSeries(s);
            batch.SeriesWritten++;
            batch.SamplesWritten += s.SampleCount;
            batch.HistogramsWritten += s.HistogramCount;
            batch.ExemplarsWritten += s.ExemplarCount;
            if (s.HasMetadata)
            {
                batch.MetadataWritten++;
            }
        }

        foreach (ref readonly var metadata in request.FamilyMetadata)
        {
            if (metadata.FamilyName.Length == 0 || !System.Text.Unicode.Utf8.IsValid(metadata.FamilyName.Span(body)))
            {
                Tally(batch, RefusalReason.InvalidMetadata, 0, 0, 0, 0);
                AddProblem(batch, "metadata entry: the metric family name is empty or not valid UTF-8");
                continue;
            }

            var shard = _router.ShardOfMetricFamily(tenant.IdUtf8, metadata.FamilyName.Span(body), ref batch.HashScratch);
            BuilderFor(batch, shard, tenant, receivedAtMs).AddFamilyMetadata(metadata);
            batch.MetadataWritten++;
        }

        for (var shard = 0; shard < batch.ShardUsed.Length; shard++)
        {
            if (batch.ShardUsed[shard])
            {
                batch.Builders[shard].Complete();
            }
        }
    }

    private static Protocol.LogEvents.IngestEventBuilder BuilderFor(WriteBatch batch, int shard, Tenant tenant, long receivedAtMs)
    {
        var builder = batch.Builders[shard];
        if (!batch.ShardUsed[shard])
        {
            batch.ShardUsed[shard] = true;
            builder.Begin(batch.Request, tenant.Id, receivedAtMs, shard, batch.Events[shard]);
        }

        return builder;
    }

    private static void Refuse(WriteBatch batch, ReadOnlySpan<byte> body, in SeriesEntry s, ReadOnlySpan<LabelEntry> labels, int index, string reason, string? detail)
    {
        batch.SeriesRefused++;
        batch.SamplesRefused += s.SampleCount;
        batch.HistogramsRefused += s.HistogramCount;
        batch.ExemplarsRefused += s.ExemplarCount;
        Tally(batch, reason, 1, s.SampleCount, s.HistogramCount, s.ExemplarCount);
        if (batch.Problems.Count < MaxProblemsReported)
        {
            var name = labels.Length > 0 ? SeriesValidator.Describe(body, labels) : $"#{index}";
            AddProblem(batch, $"series {name}: {detail ?? reason}");
        }
    }

    private static void AddProblem(WriteBatch batch, string problem)
    {
        if (batch.Problems.Count < MaxProblemsReported)
        {
            batch.Problems.Add(problem);
        }
    }

    private static void Tally(WriteBatch batch, string reason, int series, int samples, int histograms, int exemplars)
    {
        batch.RefusedByReason.TryGetValue(reason, out var t);
        batch.RefusedByReason[reason] = (t.Series + series, t.Samples + samples, t.Histograms + histograms, t.Exemplars + exemplars);
    }
}
