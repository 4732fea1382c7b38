using System.Buffers.Binary;
using System.Net.Http.Headers;
using Google.Protobuf;
using PromLake.Protocol.Prompb;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.Storage;
using PromLake.Query.Tests.Http;
using static PromLake.Query.Tests.Http.QueryApiHost;
using Labels = PromLake.Query.Model.Labels;
using ModelHistogram = PromLake.Query.Model.FloatHistogram;
using PbQuery = PromLake.Protocol.Prompb.Query;

namespace PromLake.Query.Tests.RemoteRead;

/// <summary>POST /api/v1/read: both response types, decoded back and compared bit for bit.</summary>
public sealed class RemoteReadEndpointTests : IAsyncLifetime
{
    private static readonly Labels CpuA = Labels.FromStrings("__name__", "cpu_seconds_total", "job", "node", "instance", "a");
    private static readonly Labels CpuB = Labels.FromStrings("__name__", "cpu_seconds_total", "job", "node", "instance", "b");
    private QueryApiHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StartAsync();
        for (var i = 0; i < 300; i++)
        {
            // A scrape every 15 s with jitter, a stale marker at the end of a gap, and a counter value.
            var t = 1_700_000_000_000 + i * 15_000L + (i % 4 == 0 ? 3 : 0);
            var v = i == 150 ? StaleMarker.Value : i * 1.25 + 0.1;
            _host.Store(Acme).Append(CpuA, new StoredSample(t, v));
            _host.Store(Acme).Append(CpuB, new StoredSample(t, -v));
        }

        _host.Store(Globex).Append(Labels.FromStrings("__name__", "cpu_seconds_total", "job", "node", "instance", "globex"), new StoredSample(1_700_000_000_000, 9));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static PbQuery CpuQuery(long start = 1_700_000_000_000, long end = 1_800_000_000_000) => new()
    {
        StartTimestampMs = start,
        EndTimestampMs = end,
        Matchers =
        {
            new LabelMatcher { Type = LabelMatcher.Types.Type.Eq, Name = "__name__", Value = "cpu_seconds_total" },
            new LabelMatcher { Type = LabelMatcher.Types.Type.Re, Name = "instance", Value = "a|b" },
        },
    };

    private async Task<HttpResponseMessage> ReadAsync(ReadRequest request, string tenant = Acme, QueryApiHost? host = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/read")
        {
            Content = new ByteArrayContent(Snappier.Snappy.CompressToArray(request.ToByteArray())),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        message.Content.Headers.ContentEncoding.Add("snappy");
        message.Headers.Add("X-Prometheus-Remote-Read-Version", "0.1.0");
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant);
        return await (host ?? _host).Client.SendAsync(message);
    }

    private List<StoredSample> Expected(Labels labels, long start = long.MinValue, long end = long.MaxValue) =>
        _host.Store(Acme).SelectAsync(new SelectRequest([new(Model.MatcherType.Equal, "instance", labels.Get("instance"))], start, end)).AsTask().Result
            .Single().Samples.ToList();

    [Fact]
    public async Task Samples_answer_is_one_snappy_ReadResponse_with_every_sample_bit_for_bit()
    {
        using var response = await ReadAsync(new ReadRequest { Queries = { CpuQuery() } });

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["snappy"], response.Content.Headers.ContentEncoding);
        var read = ReadResponse.Parser.ParseFrom(Snappier.Snappy.DecompressToArray(await response.Content.ReadAsByteArrayAsync()));
        var series = Assert.Single(read.Results).Timeseries;
        Assert.Equal(2, series.Count);
        Assert.Equal([("__name__", "cpu_seconds_total"), ("instance", "a"), ("job", "node")], series[0].Labels.Select(l => (l.Name, l.Value)));
        Assert.Equal(Expected(CpuA).Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.F))),
            series[0].Samples.Select(s => (s.Timestamp, BitConverter.DoubleToUInt64Bits(s.Value))));
        Assert.Contains(series[0].Samples, s => BitConverter.DoubleToUInt64Bits(s.Value) == StaleMarker.Bits);
    }

    [Fact]
    public async Task Samples_answer_has_one_result_per_query_in_order_and_honours_the_time_range()
    {
        var narrow = CpuQuery(1_700_000_000_000, 1_700_000_060_000);
        var none = CpuQuery(1_600_000_000_000, 1_600_000_060_000);

        using var response = await ReadAsync(new ReadRequest { Queries = { narrow, none, CpuQuery() } });
        var read = ReadResponse.Parser.ParseFrom(Snappier.Snappy.DecompressToArray(await response.Content.ReadAsByteArrayAsync()));

        Assert.Equal(3, read.Results.Count);
        // 0, 15, 30 and 45 s; the fifth scrape came at 60.003 s, after the end.
        Assert.Equal(4, read.Results[0].Timeseries[0].Samples.Count);
        Assert.Empty(read.Results[1].Timeseries);
        Assert.Equal(300, read.Results[2].Timeseries[0].Samples.Count);
    }

    [Fact]
    public async Task Streamed_answer_is_CRC_checked_frames_of_XOR_chunks_that_decode_to_the_same_samples()
    {
        var request = new ReadRequest
        {
            Queries = { CpuQuery(), CpuQuery(1_700_000_000_000, 1_700_000_100_000) },
            AcceptedResponseTypes = { ReadRequest.Types.ResponseType.StreamedXorChunks, ReadRequest.Types.ResponseType.Samples },
        };

        using var response = await ReadAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse", response.Content.Headers.ContentType!.ToString());
        var frames = ReadFrames(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal([0, 0, 1, 1], frames.Select(f => f.QueryIndex));
        Assert.All(frames, f => Assert.Single(f.ChunkedSeries));

        var a = frames[0].ChunkedSeries[0];
        Assert.Equal("a", a.Labels.Single(l => l.Name == "instance").Value);
        Assert.All(a.Chunks, c => Assert.Equal(Chunk.Types.Encoding.Xor, c.Type));
        Assert.Equal([120, 120, 60], a.Chunks.Select(c => (int)BinaryPrimitives.ReadUInt16BigEndian(c.Data.Span)));
        var decoded = a.Chunks.SelectMany(c =>
        {
            var samples = XorChunkReader.Read(c.Data.ToByteArray());
            Assert.Equal(c.MinTimeMs, samples[0].T);
            Assert.Equal(c.MaxTimeMs, samples[^1].T);
            return samples;
        }).ToList();
        Assert.Equal(Expected(CpuA).Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.F))), decoded);
        Assert.Contains(decoded, s => s.Bits == StaleMarker.Bits);

        var narrow = XorChunkReader.Read(frames[2].ChunkedSeries[0].Chunks.Single().Data.ToByteArray());
        Assert.Equal(Expected(CpuA, 1_700_000_000_000, 1_700_000_100_000).Select(s => s.T), narrow.Select(s => s.T));
    }

    [Fact]
    public async Task A_series_larger_than_a_frame_is_split_over_frames_of_that_series_alone()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["PromLake:Query:RemoteReadMaxBytesInFrame"] = "1024" });
        for (var i = 0; i < 1200; i++)
        {
            host.Store(Acme).Append(CpuA, new StoredSample(i * 1000L, Math.Sin(i)));
        }

        using var response = await ReadAsync(new ReadRequest
        {
            Queries = { CpuQuery(0, 10_000_000) },
            AcceptedResponseTypes = { ReadRequest.Types.ResponseType.StreamedXorChunks },
        }, host: host);
        var frames = ReadFrames(await response.Content.ReadAsByteArrayAsync());

        Assert.True(frames.Count > 1);
        Assert.All(frames, f => Assert.Equal("a", Assert.Single(f.ChunkedSeries).Labels.Single(l => l.Name == "instance").Value));
        var decoded = frames.SelectMany(f => f.ChunkedSeries[0].Chunks).SelectMany(c => XorChunkReader.Read(c.Data.ToByteArray())).ToList();
        Assert.Equal(Enumerable.Range(0, 1200).Select(i => (i * 1000L, BitConverter.DoubleToUInt64Bits(Math.Sin(i)))), decoded);
    }

    [Fact]
    public async Task Native_histograms_fall_back_to_samples_when_the_client_accepts_them()
    {
        var h = new ModelHistogram { Schema = 1, Count = 3, Sum = 4.5, PositiveSpans = [new(1, 1)], PositiveBuckets = [3] };
        _host.Store(Acme).Append(Labels.FromStrings("__name__", "latency", "instance", "a"), new StoredSample(1_700_000_000_000, 0, h));
        var query = new PbQuery
        {
            StartTimestampMs = 0,
            EndTimestampMs = 1_800_000_000_000,
            Matchers = { new LabelMatcher { Type = LabelMatcher.Types.Type.Eq, Name = "__name__", Value = "latency" } },
        };

        using var both = await ReadAsync(new ReadRequest
        {
            Queries = { query },
            AcceptedResponseTypes = { ReadRequest.Types.ResponseType.StreamedXorChunks, ReadRequest.Types.ResponseType.Samples },
        });
        using var chunksOnly = await ReadAsync(new ReadRequest { Queries = { query }, AcceptedResponseTypes = { ReadRequest.Types.ResponseType.StreamedXorChunks } });

        Assert.Equal("application/x-protobuf", both.Content.Headers.ContentType!.MediaType);
        var histogram = ReadResponse.Parser.ParseFrom(Snappier.Snappy.DecompressToArray(await both.Content.ReadAsByteArrayAsync()))
            .Results[0].Timeseries[0].Histograms.Single();
        Assert.Equal(3, histogram.CountFloat);
        Assert.Equal(4.5, histogram.Sum);
        Assert.Equal(1, histogram.Schema);
        Assert.Equal([3.0], histogram.PositiveCounts);
        Assert.Equal(400, (int)chunksOnly.StatusCode);
    }

    [Fact]
    public async Task Unsupported_response_types_and_malformed_bodies_are_400()
    {
        using var unsupported = await ReadAsync(new ReadRequest { Queries = { CpuQuery() }, AcceptedResponseTypes = { (ReadRequest.Types.ResponseType)7 } });
        using var garbage = await _host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/read")
        {
            Content = new ByteArrayContent([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Acme) },
        });

        Assert.Equal(400, (int)unsupported.StatusCode);
        Assert.StartsWith("server does not support any of the requested response types", await unsupported.Content.ReadAsStringAsync());
        Assert.Equal(400, (int)garbage.StatusCode);
    }

    [Fact]
    public async Task Query_over_the_sample_limit_is_400_with_Prometheus_message()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["PromLake:Query:RemoteReadSampleLimit"] = "10" });
        for (var i = 0; i < 11; i++)
        {
            host.Store(Acme).Append(CpuA, new StoredSample(1_700_000_000_000 + i, i));
        }

        using var response = await ReadAsync(new ReadRequest { Queries = { CpuQuery() } }, host: host);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("exceeded sample limit (10)\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_tenant_reads_only_its_own_series_and_needs_credentials()
    {
        var everything = new PbQuery
        {
            StartTimestampMs = 0,
            EndTimestampMs = 1_800_000_000_000,
            Matchers = { new LabelMatcher { Type = LabelMatcher.Types.Type.Re, Name = "__name__", Value = ".+" } },
        };

        using var globex = await ReadAsync(new ReadRequest { Queries = { everything } }, Globex);
        using var nobody = await ReadAsync(new ReadRequest { Queries = { everything } }, "nobody");

        var series = ReadResponse.Parser.ParseFrom(Snappier.Snappy.DecompressToArray(await globex.Content.ReadAsByteArrayAsync())).Results[0].Timeseries;
        Assert.Equal("globex", Assert.Single(series).Labels.Single(l => l.Name == "instance").Value);
        Assert.Equal(401, (int)nobody.StatusCode);
    }

    /// <summary>Splits a streamed body into frames, checking each frame's length prefix and CRC-32C.</summary>
    private static List<ChunkedReadResponse> ReadFrames(byte[] body)
    {
        var frames = new List<ChunkedReadResponse>();
        var pos = 0;
        while (pos < body.Length)
        {
            ulong length = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = body[pos++];
                length |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }

            var crc = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(pos));
            pos += 4;
            var message = body.AsSpan(pos, (int)length);
            Assert.Equal(Crc32CReference.Compute(message), crc);
            frames.Add(ChunkedReadResponse.Parser.ParseFrom(message));
            pos += (int)length;
        }

        return frames;
    }
}
