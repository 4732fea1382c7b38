using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using PromLake.Protocol.Snappy;
using PromLake.Query.Http;
using PromLake.Query.Storage;
using Prompb = PromLake.Protocol.Prompb;

namespace PromLake.Query.RemoteRead;

/// <summary>
/// <c>POST /api/v1/read</c>, Prometheus remote read, top to bottom: authenticate the tenant → read the body
/// (size-capped) → snappy-decode (declared size checked before allocating) → decode the ReadRequest → negotiate
/// the response type → select every query's series from the tenant's store (sample limit per query) → answer
/// SAMPLES (one snappy ReadResponse) or STREAMED_XOR_CHUNKS (CRC-framed ChunkedReadResponses, one series per
/// frame, XOR chunks of at most 120 samples). Errors are plain text, as Prometheus's http.Error.
/// </summary>
public sealed class RemoteReadEndpoint(ITenantResolver tenants, ITenantSeriesSource series, QueryApiOptions options)
{
    public const string SamplesContentType = "application/x-protobuf";
    public const string StreamedContentType = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";

    /// <summary>Prometheus's decodeReadLimit: a read request is small; 32 MiB of compressed body is plenty.</summary>
    private const int MaxRequestBytes = 32 * 1024 * 1024;

    /// <summary>No Prometheus equivalent: refuses a snappy header that declares an absurd decompressed size.</summary>
    private const int MaxDecompressedBytes = 128 * 1024 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tenant = await tenants.ResolveTenantAsync(context).ConfigureAwait(false);
        if (tenant is null)
        {
            await Unauthorized.WriteAsync(context, tenants).ConfigureAwait(false);
            return;
        }

        var (request, decodeError) = await DecodeAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, decodeError!).ConfigureAwait(false);
            return;
        }

        if (!Negotiate(request, out var streamed, out var negotiationError))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, negotiationError).ConfigureAwait(false);
            return;
        }

        var querier = series.ForTenant(tenant);
        var results = new List<IReadOnlyList<StoredSeries>>(request.Queries.Count);
        var hasHistograms = false;
        foreach (var query in request.Queries)
        {
            List<Model.LabelMatcher> matchers;
            try
            {
                matchers = PrompbConversion.Matchers(query.Matchers);
            }
            catch (ArgumentException e)
            {
                // Prometheus answers 500 here; a malformed matcher is the client's mistake, so 400.
                await ErrorAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
                return;
            }

            IReadOnlyList<StoredSeries> selected;
            try
            {
                selected = await querier.SelectAsync(new SelectRequest(matchers, query.StartTimestampMs, query.EndTimestampMs), context.RequestAborted)
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await ErrorAsync(context, StatusCodes.Status500InternalServerError, e.Message).ConfigureAwait(false);
                return;
            }

            var kept = new List<StoredSeries>(selected.Count);
            long samples = 0;
            foreach (var s in selected)
            {
                // A series without samples in the range is not part of the answer, as with Prometheus's TSDB.
                if (s.Samples.Count == 0)
                {
                    continue;
                }

                kept.Add(s);
                samples += s.Samples.Count;
                foreach (var sample in s.Samples)
                {
                    hasHistograms |= sample.H is not null;
                }
            }

            if (options.RemoteReadSampleLimit > 0 && samples > options.RemoteReadSampleLimit)
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest,
                    $"exceeded sample limit ({options.RemoteReadSampleLimit.ToString(CultureInfo.InvariantCulture)})").ConfigureAwait(false);
                return;
            }

            kept.Sort(static (a, b) => a.Labels.CompareTo(b.Labels));
            results.Add(kept);
        }

        if (streamed && hasHistograms)
        {
            // Native histograms need Prometheus's histogram chunk encodings, which PromLake does not write yet:
            // answer with raw samples when the client takes them, rather than drop data.
            if (!request.AcceptedResponseTypes.Contains(Prompb.ReadRequest.Types.ResponseType.Samples))
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest,
                    "the selected series hold native histograms, which PromLake cannot stream as chunks yet; accept the SAMPLES response type").ConfigureAwait(false);
                return;
            }

            streamed = false;
        }

        if (streamed)
        {
            await WriteChunksAsync(context, results).ConfigureAwait(false);
        }
        else
        {
            await WriteSamplesAsync(context, results).ConfigureAwait(false);
        }
    }

    private static async Task<(Prompb.ReadRequest? Request, string? Error)> DecodeAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxRequestBytes)
        {
            return (null, $"request body of {request.ContentLength} bytes is larger than the limit of {MaxRequestBytes}");
        }

        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (body.Length + read > MaxRequestBytes)
            {
                return (null, $"request body is larger than the limit of {MaxRequestBytes} bytes");
            }

            body.Write(buffer, 0, read);
        }

        var compressed = body.GetBuffer().AsSpan(0, (int)body.Length);
        if (!SnappyBlock.TryGetDecompressedLength(compressed, out var length, out var error))
        {
            return (null, error);
        }

        if (length > MaxDecompressedBytes)
        {
            return (null, $"snappy block declares {length} decompressed bytes, more than the limit of {MaxDecompressedBytes}");
        }

        var decompressed = new byte[length];
        if (!SnappyBlock.TryDecompress(compressed, decompressed, out error))
        {
            return (null, error);
        }

        try
        {
            return (Prompb.ReadRequest.Parser.ParseFrom(decompressed), null);
        }
        catch (InvalidProtocolBufferException e)
        {
            return (null, "malformed ReadRequest: " + e.Message);
        }
    }

    /// <summary>NegotiateResponseType: the first accepted type supported; none listed means SAMPLES.</summary>
    private static bool Negotiate(Prompb.ReadRequest request, out bool streamed, out string error)
    {
        streamed = false;
        error = string.Empty;
        if (request.AcceptedResponseTypes.Count == 0)
        {
            return true;
        }

        foreach (var type in request.AcceptedResponseTypes)
        {
            if (type == Prompb.ReadRequest.Types.ResponseType.Samples)
            {
                return true;
            }

            if (type == Prompb.ReadRequest.Types.ResponseType.StreamedXorChunks)
            {
                streamed = true;
                return true;
            }
        }

        error = $"server does not support any of the requested response types: [{string.Join(' ', request.AcceptedResponseTypes)}]; supported: [SAMPLES STREAMED_XOR_CHUNKS]";
        return false;
    }

    private static async Task WriteSamplesAsync(HttpContext context, List<IReadOnlyList<StoredSeries>> results)
    {
        var response = new Prompb.ReadResponse();
        foreach (var selected in results)
        {
            var result = new Prompb.QueryResult();
            foreach (var s in selected)
            {
                var ts = new Prompb.TimeSeries();
                PrompbConversion.AddLabels(ts.Labels, s.Labels);
                foreach (var sample in s.Samples)
                {
                    if (sample.H is { } h)
                    {
                        ts.Histograms.Add(PrompbConversion.Histogram(sample.T, h));
                    }
                    else
                    {
                        ts.Samples.Add(new Prompb.Sample { Timestamp = sample.T, Value = sample.F });
                    }
                }

                result.Timeseries.Add(ts);
            }

            response.Results.Add(result);
        }

        var raw = response.ToByteArray();
        var compressed = Snappier.Snappy.CompressToArray(raw);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = SamplesContentType;
        context.Response.Headers.ContentEncoding = "snappy";
        context.Response.ContentLength = compressed.Length;
        await context.Response.Body.WriteAsync(compressed, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// StreamChunkedReadResponses: per series, chunks are gathered until the frame would pass the byte budget
    /// (the budget less the labels' size), then sent as one ChunkedReadResponse with the query's index.
    /// </summary>
    private async Task WriteChunksAsync(HttpContext context, List<IReadOnlyList<StoredSeries>> results)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = StreamedContentType;
        var body = context.Response.Body;
        for (var queryIndex = 0; queryIndex < results.Count; queryIndex++)
        {
            foreach (var s in results[queryIndex])
            {
                var labels = new Google.Protobuf.Collections.RepeatedField<Prompb.Label>();
                PrompbConversion.AddLabels(labels, s.Labels);
                var labelBytes = 0;
                foreach (var l in labels)
                {
                    labelBytes += l.CalculateSize();
                }

                var budget = options.RemoteReadMaxBytesInFrame - labelBytes;
                var bytesLeft = budget;
                var frameChunks = new List<Prompb.Chunk>();
                var chunks = Chunks(s);
                for (var i = 0; i < chunks.Count; i++)
                {
                    frameChunks.Add(chunks[i]);
                    bytesLeft -= chunks[i].CalculateSize();
                    if (bytesLeft > 0 && i + 1 < chunks.Count)
                    {
                        continue;
                    }

                    var frame = new Prompb.ChunkedReadResponse { QueryIndex = queryIndex };
                    var chunkedSeries = new Prompb.ChunkedSeries();
                    chunkedSeries.Labels.AddRange(labels);
                    chunkedSeries.Chunks.AddRange(frameChunks);
                    frame.ChunkedSeries.Add(chunkedSeries);
                    await body.WriteAsync(ChunkedFrame.Encode(frame.ToByteArray()), context.RequestAborted).ConfigureAwait(false);
                    frameChunks.Clear();
                    bytesLeft = budget;
                }

                await body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The series' float samples in XOR chunks of at most <see cref="XorChunk.MaxSamples"/>.</summary>
    private static List<Prompb.Chunk> Chunks(StoredSeries s)
    {
        var chunks = new List<Prompb.Chunk>();
        XorChunk? current = null;
        foreach (var sample in s.Samples)
        {
            if (sample.H is not null)
            {
                continue;
            }

            if (current is null || current.IsFull)
            {
                Flush();
                current = new XorChunk();
            }

            current.Append(sample.T, sample.F);
        }

        Flush();
        return chunks;

        void Flush()
        {
            if (current is { Count: > 0 })
            {
                chunks.Add(new Prompb.Chunk
                {
                    MinTimeMs = current.MinTime,
                    MaxTimeMs = current.MaxTime,
                    Type = Prompb.Chunk.Types.Encoding.Xor,
                    Data = ByteString.CopyFrom(current.ToArray()),
                });
            }
        }
    }

    private static async Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
