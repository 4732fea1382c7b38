using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromLake.Ingest.Tenancy;
using PromLake.Ingest.Validation;
using PromLake.Log;
using PromLake.Protocol.RemoteWrite;
using PromLake.Protocol.Snappy;
using PromLake.Protocol.Wire;

namespace PromLake.Ingest;

/// <summary>
/// POST /api/v1/write, the whole request path top to bottom: authenticate →
/// negotiate → read (size-capped) → decompress (size-capped before allocating)
/// → decode → limit → validate, shard, encode → publish every shard's events →
/// 204 only when the log holds all of them. Hosts call <see cref="HandleAsync"/>.
/// </summary>
public sealed partial class RemoteWriteEndpoint
{
    private const string SamplesWrittenHeader = "X-Prometheus-Remote-Write-Samples-Written";
    private const string HistogramsWrittenHeader = "X-Prometheus-Remote-Write-Histograms-Written";
    private const string ExemplarsWrittenHeader = "X-Prometheus-Remote-Write-Exemplars-Written";

    private readonly TenantDirectory _tenants;
    private readonly WritePipeline _pipeline;
    private readonly ILogPublisher _log;
    private readonly IngestMetrics _metrics;
    private readonly IngestOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<RemoteWriteEndpoint> _logger;

    public RemoteWriteEndpoint(
        TenantDirectory tenants,
        WritePipeline pipeline,
        ILogPublisher log,
        IngestMetrics metrics,
        IOptions<IngestOptions> options,
        TimeProvider clock,
        ILogger<RemoteWriteEndpoint> logger)
    {
        _tenants = tenants;
        _pipeline = pipeline;
        _log = log;
        _metrics = metrics;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var response = context.Response;
        var version = RemoteWriteContentType.Parse(request.ContentType);
        WriteBatch? batch = null;
        byte[]? compressed = null;
        byte[]? decompressed = null;
        var outcome = default(Outcome);
        try
        {
            outcome = await ProcessAsync(context, version, b => batch = b, (c, d) => (compressed, decompressed) = (c, d));
        }
        finally
        {
            // Exactly one place turns an outcome into a response.
            Respond(response, outcome, version, batch);
            _metrics.RequestDuration.WithLabels(StatusClass(response.StatusCode)).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (batch is not null)
            {
                _pipeline.Return(batch);
            }

            if (compressed is not null)
            {
                ArrayPool<byte>.Shared.Return(compressed);
            }

            if (decompressed is not null)
            {
                ArrayPool<byte>.Shared.Return(decompressed);
            }
        }

        if (outcome.Message is not null)
        {
            await response.WriteAsync(outcome.Message + "\n");
        }
    }

    private async Task<Outcome> ProcessAsync(HttpContext context, RemoteWriteVersion? version, Action<WriteBatch> keepBatch, Action<byte[]?, byte[]?> keepBuffers)
    {
        var request = context.Request;
        var tenant = _tenants.Authenticate(request.Headers.Authorization);
        if (tenant is null)
        {
            return Refuse(null, RefusalReason.Unauthorized, "missing or invalid credentials: use HTTP Basic or a PromLake bearer token");
        }

        if (version is null)
        {
            return Refuse(tenant, RefusalReason.UnsupportedContentType,
                $"unsupported Content-Type \"{request.ContentType}\": send {RemoteWriteContentType.V1} or {RemoteWriteContentType.V2}");
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        if (encoding.Length > 0 && !encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(tenant, RefusalReason.UnsupportedContentEncoding, $"unsupported Content-Encoding \"{encoding}\": remote write bodies are snappy (block format)");
        }

        var limits = tenant.Limits;
        if (request.ContentLength > limits.MaxRequestBodyBytes)
        {
            return Refuse(tenant, RefusalReason.RequestTooLarge, $"request body of {request.ContentLength} bytes is larger than the limit of {limits.MaxRequestBodyBytes}");
        }

        var (compressed, length) = await ReadBodyAsync(request, limits.MaxRequestBodyBytes, context.RequestAborted);
        if (compressed is null)
        {
            return Refuse(tenant, RefusalReason.RequestTooLarge, $"request body is larger than the limit of {limits.MaxRequestBodyBytes} bytes");
        }

        keepBuffers(compressed, null);
        var block = compressed.AsSpan(0, length);
        if (!SnappyBlock.TryGetDecompressedLength(block, out var decompressedLength, out var snappyError))
        {
            return Refuse(tenant, RefusalReason.InvalidSnappy, snappyError!);
        }

        if (decompressedLength > limits.MaxDecompressedBytes)
        {
            // The header alone tells: nothing has been allocated for the body yet.
            return Refuse(tenant, RefusalReason.DecompressedTooLarge,
                $"snappy header declares {decompressedLength} decompressed bytes, more than the limit of {limits.MaxDecompressedBytes}");
        }

        var decompressed = ArrayPool<byte>.Shared.Rent(Math.Max(decompressedLength, 1));
        keepBuffers(compressed, decompressed);
        if (!SnappyBlock.TryDecompress(block, decompressed.AsSpan(0, decompressedLength), out snappyError))
        {
            return Refuse(tenant, RefusalReason.InvalidSnappy, snappyError!);
        }

        var batch = _pipeline.Rent();
        keepBatch(batch);
        try
        {
            WritePipeline.Decode(batch, version.Value, decompressed.AsMemory(0, decompressedLength));
        }
        catch (WireFormatException e)
        {
            var schema = version == RemoteWriteVersion.V2 ? "io.prometheus.write.v2.Request" : "prometheus.WriteRequest";
            return Refuse(tenant, RefusalReason.InvalidProtobuf, $"body is not a valid {schema}: {e.Message}");
        }

        if (batch.Request.SeriesCount > limits.MaxSeriesPerRequest)
        {
            return Refuse(tenant, RefusalReason.TooManySeries,
                $"request has {batch.Request.SeriesCount} series, more than the limit of {limits.MaxSeriesPerRequest}", batch);
        }

        if (!tenant.RateLimiter.TryAcquire(WritePipeline.RateCost(batch), out var retryAfter))
        {
            return Refuse(tenant, RefusalReason.RateLimited,
                $"ingestion rate limit of {limits.IngestionRate} samples/s (burst {limits.IngestionBurstSize}) exceeded; retry later", batch, retryAfter);
        }

        _pipeline.Encode(batch, tenant, _clock.GetUtcNow().ToUnixTimeMilliseconds());
        if (!await PublishAsync(batch))
        {
            return Refuse(tenant, RefusalReason.LogUnavailable, "the ingest log could not store the request; nothing was written, retry", batch, TimeSpan.FromSeconds(1));
        }

        return Accounted(tenant, batch);
    }

    /// <summary>Publishes every shard's events at once; true only when all are durable.</summary>
    private async Task<bool> PublishAsync(WriteBatch batch)
    {
        var started = Stopwatch.GetTimestamp();
        var pending = new List<Task>(batch.Events.Length);
        long bytes = 0;
        var events = 0;
        using var timeout = new CancellationTokenSource(_options.PublishTimeout);
        for (var shard = 0; shard < batch.Events.Length; shard++)
        {
            var list = batch.Events[shard];
            if (list.Count == 0)
            {
                continue;
            }

            var payloads = new ReadOnlyMemory<byte>[list.Count];
            for (var i = 0; i < payloads.Length; i++)
            {
                payloads[i] = list[i].Memory;
                bytes += list[i].Length;
            }

            events += payloads.Length;
            pending.Add(_log.PublishAsync(shard, payloads, timeout.Token).AsTask());
        }

        try
        {
            await Task.WhenAll(pending);
        }
        catch (Exception e)
        {
            LogPublishFailed(e);
            return false;
        }

        _metrics.LogAppendDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _metrics.LogEvents.Inc(events);
        _metrics.LogEventBytes.Inc(bytes);
        return true;
    }

    /// <summary>Counts what was written and refused; 204, or 400 naming refused series.</summary>
    private Outcome Accounted(Tenant tenant, WriteBatch batch)
    {
        _metrics.Samples.WithLabels(tenant.Id).Inc(batch.SamplesWritten);
        _metrics.Histograms.WithLabels(tenant.Id).Inc(batch.HistogramsWritten);
        _metrics.Exemplars.WithLabels(tenant.Id).Inc(batch.ExemplarsWritten);
        _metrics.Metadata.WithLabels(tenant.Id).Inc(batch.MetadataWritten);
        if (batch.RefusedByReason.Count == 0)
        {
            return new Outcome(204, null, null, Written: true);
        }

        foreach (var (reason, t) in batch.RefusedByReason)
        {
            _metrics.RefusedSamples.WithLabels(tenant.Id, reason).Inc(t.Samples);
            _metrics.RefusedHistograms.WithLabels(tenant.Id, reason).Inc(t.Histograms);
            _metrics.RefusedExemplars.WithLabels(tenant.Id, reason).Inc(t.Exemplars);
            _metrics.RefusedRequests.WithLabels(tenant.Id, reason).Inc();
        }

        var message =
            $"refused {batch.SeriesRefused} of {batch.Request.SeriesCount} series ({batch.SamplesRefused} samples, {batch.HistogramsRefused} histograms, {batch.ExemplarsRefused} exemplars); "
            + $"wrote {batch.SeriesWritten} series ({batch.SamplesWritten} samples, {batch.HistogramsWritten} histograms, {batch.ExemplarsWritten} exemplars). "
            + string.Join("; ", batch.Problems);
        return new Outcome(400, message, null, Written: true);
    }

    private Outcome Refuse(Tenant? tenant, string reason, string message, WriteBatch? batch = null, TimeSpan? retryAfter = null)
    {
        var id = tenant?.Id ?? "";
        _metrics.RefusedRequests.WithLabels(id, reason).Inc();
        if (batch is not null)
        {
            _metrics.RefusedSamples.WithLabels(id, reason).Inc(batch.Request.SampleCount);
            _metrics.RefusedHistograms.WithLabels(id, reason).Inc(batch.Request.HistogramCount);
            _metrics.RefusedExemplars.WithLabels(id, reason).Inc(batch.Request.ExemplarCount);
        }

        LogRefused(id, reason, message);
        return new Outcome(RefusalReason.StatusOf(reason), message, retryAfter, Written: false);
    }

    private static void Respond(HttpResponse response, Outcome outcome, RemoteWriteVersion? version, WriteBatch? batch)
    {
        if (outcome.Status == 0)
        {
            // An exception escaped: nothing is acknowledged.
            outcome = new Outcome(500, null, null, false);
        }

        response.StatusCode = outcome.Status;
        if (outcome.Status == 401)
        {
            response.Headers.WWWAuthenticate = new(["Basic realm=\"PromLake\"", "Bearer realm=\"PromLake\""]);
        }

        if (outcome.RetryAfter is { } retry)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (version == RemoteWriteVersion.V2)
        {
            // RW 2.0: receivers MUST send the written counts on every response, success or not.
            var written = outcome.Written && batch is not null;
            response.Headers[SamplesWrittenHeader] = (written ? batch!.SamplesWritten : 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers[HistogramsWrittenHeader] = (written ? batch!.HistogramsWritten : 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers[ExemplarsWrittenHeader] = (written ? batch!.ExemplarsWritten : 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (outcome.Message is not null)
        {
            response.ContentType = "text/plain; charset=utf-8";
        }
    }

    private static async Task<(byte[]? Buffer, int Length)> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var capacity = request.ContentLength is { } declared ? (int)Math.Min(declared + 1, (long)limit + 1) : Math.Min(64 * 1024, limit + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, 0);
                }

                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (length > limit)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return (null, 0);
            }
        }

        return (buffer, length);
    }

    private static string StatusClass(int status) => status switch
    {
        < 300 => "2xx",
        < 500 => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "5xx",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a write from tenant '{Tenant}' ({Reason}): {Detail}")]
    private partial void LogRefused(string tenant, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ingest log did not store a request; the sender will retry")]
    private partial void LogPublishFailed(Exception exception);

    private readonly record struct Outcome(int Status, string? Message, TimeSpan? RetryAfter, bool Written);
}
