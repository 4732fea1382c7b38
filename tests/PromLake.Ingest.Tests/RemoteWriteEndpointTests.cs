using System.Net;
using Google.Protobuf;
using PromLake.Protocol.Prompb;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.Ingest.Tests;

/// <summary>POST /api/v1/write as the remote-write specifications describe a receiver.</summary>
public sealed class RemoteWriteEndpointTests : IAsyncLifetime
{
    private WriteEndpointHost _host = null!;

    public async Task InitializeAsync() => _host = await WriteEndpointHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Accepts_a_v1_request_with_204_and_only_then_the_log_holds_every_sample()
    {
        var request = Request(Series(("__name__", "up"), ("job", "a")), Series(("__name__", "up"), ("job", "b")));

        var response = await _host.PostAsync(request, WriteEndpointHost.Alice);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var events = await _host.ReadLogAsync();
        Assert.All(events, e => Assert.Equal("acme", e.Tenant));
        Assert.Equal(2, events.SelectMany(e => e.Request.Timeseries).Sum(s => s.Samples.Count));
        Assert.Equal(2, await _host.CounterAsync("promlake_ingest_samples_total", ("tenant", "acme")));
    }

    [Fact]
    public async Task Writes_the_valid_series_and_answers_400_naming_the_invalid_one_with_counts()
    {
        var request = Request(
            Series(("__name__", "up"), ("job", "ok")),
            Series(("job", "b"), ("__name__", "unsorted")),
            Series(("__name__", "up"), ("job", "ok2")));

        var response = await _host.PostAsync(request, WriteEndpointHost.Alice);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = await response.Content.ReadAsStringAsync();
        Assert.Contains("refused 1 of 3 series", message);
        Assert.Contains("wrote 2 series (2 samples", message);
        Assert.Contains("{job=\"b\", __name__=\"unsorted\"}", message);
        Assert.Contains("not sorted", message);
        Assert.Equal(2, (await _host.ReadLogAsync()).SelectMany(e => e.Request.Timeseries).Count());
        Assert.Equal(1, await _host.CounterAsync("promlake_ingest_refused_samples_total", ("tenant", "acme"), ("reason", "labels_not_sorted")));
    }

    [Fact]
    public async Task Refuses_samples_older_than_the_tenants_retention_with_400_naming_the_series_and_counts_the_reason()
    {
        await using var host = await WriteEndpointHost.StartAsync(new Dictionary<string, string?> { ["PromLake:Tenants:acme:Limits:RetentionDays"] = "30" });
        var now = DateTimeOffset.UtcNow;
        var fresh = Series(("__name__", "up"), ("job", "fresh"));
        fresh.Samples[0].Timestamp = now.AddMinutes(-1).ToUnixTimeMilliseconds();
        var old = Series(("__name__", "up"), ("job", "old"));
        old.Samples[0].Timestamp = now.AddDays(-31).ToUnixTimeMilliseconds();

        var response = await host.PostAsync(Request(fresh, old), WriteEndpointHost.Alice);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = await response.Content.ReadAsStringAsync();
        Assert.Contains("{__name__=\"up\", job=\"old\"}", message);
        Assert.Contains("older than the tenant's retention of 30 days", message);
        var written = (await host.ReadLogAsync()).SelectMany(e => e.Request.Timeseries.Select(t => e.Request.Symbols[(int)t.LabelsRefs[3]]));
        Assert.Equal(["fresh"], written);
        Assert.Equal(1, await host.CounterAsync("promlake_ingest_refused_samples_total", ("tenant", "acme"), ("reason", "sample_too_far_in_past")));
    }

    [Fact]
    public async Task V2_responses_carry_the_written_counts_on_success_and_on_failure()
    {
        var ok = ToV2(Request(Series(("__name__", "up"), ("job", "a"))));
        var response = await _host.PostAsync(ok, WriteEndpointHost.Alice, "application/x-protobuf;proto=io.prometheus.write.v2.Request");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1", Header(response, "X-Prometheus-Remote-Write-Samples-Written"));
        Assert.Equal("0", Header(response, "X-Prometheus-Remote-Write-Histograms-Written"));
        Assert.Equal("0", Header(response, "X-Prometheus-Remote-Write-Exemplars-Written"));

        var bad = new V2.Request { Symbols = { "", "__name__", "up" } };
        bad.Timeseries.Add(new V2.TimeSeries { LabelsRefs = { 1, 7 }, Samples = { new V2.Sample { Value = 1, Timestamp = 1 } } });
        response = await _host.PostAsync(bad, WriteEndpointHost.Alice, "application/x-protobuf;proto=io.prometheus.write.v2.Request");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("0", Header(response, "X-Prometheus-Remote-Write-Samples-Written"));
        Assert.Contains("past the end of the symbol table", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("application/json", "snappy", HttpStatusCode.UnsupportedMediaType, "unsupported Content-Type")]
    [InlineData("application/x-protobuf;proto=prometheus.WriteRequest", "gzip", HttpStatusCode.UnsupportedMediaType, "unsupported Content-Encoding")]
    public async Task Refuses_what_it_cannot_read_with_415(string contentType, string encoding, HttpStatusCode status, string expected)
    {
        var body = Snappier.Snappy.CompressToArray(Request(Series(("__name__", "up"))).ToByteArray());

        var response = await _host.PostRawAsync(body, WriteEndpointHost.Alice, contentType, encoding);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        Assert.Empty(await _host.ReadLogAsync());
    }

    [Fact]
    public async Task Refuses_missing_and_wrong_credentials_with_401_and_a_challenge()
    {
        var request = Request(Series(("__name__", "up")));

        foreach (var auth in new[] { null, WriteEndpointHost.Basic("alice", "wrong"), new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "plk_nope") })
        {
            var response = await _host.PostAsync(request, auth);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        }

        Assert.Equal(3, await _host.CounterAsync("promlake_ingest_refused_requests_total", ("tenant", ""), ("reason", "unauthorized")));
    }

    [Fact]
    public async Task A_snappy_bomb_is_refused_from_its_header_with_413()
    {
        // Declares 2 GiB - 1 of output in six bytes.
        byte[] bomb = [0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00];

        var response = await _host.PostRawAsync(bomb, WriteEndpointHost.Alice);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("2147483647 decompressed bytes", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x10, 0x0A, 0x03 }, "snappy")]
    [InlineData(new byte[] { 0x03, 0x08, 0x0A, 0x01, 0xFF }, "not a valid prometheus.WriteRequest")]
    public async Task Refuses_malformed_bodies_with_400_and_writes_nothing(byte[] body, string expected)
    {
        var response = await _host.PostRawAsync(body, WriteEndpointHost.Alice);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        Assert.Empty(await _host.ReadLogAsync());
    }

    [Fact]
    public async Task Refuses_more_series_than_the_tenant_allows_in_one_request()
    {
        var request = Request(Enumerable.Range(0, 101).Select(i => Series(("__name__", "m"), ("i", i.ToString()))).ToArray());

        var response = await _host.PostAsync(request, WriteEndpointHost.Alice);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("101 series, more than the limit of 100", await response.Content.ReadAsStringAsync());
        Assert.Empty(await _host.ReadLogAsync());
    }

    [Fact]
    public async Task A_series_with_fifty_thousand_labels_is_refused_by_name_and_the_rest_is_written()
    {
        var huge = Series(Enumerable.Range(0, 50_000).Select(i => ($"l{i:D5}", "v")).Prepend(("__name__", "huge")).ToArray());
        var request = Request(huge, Series(("__name__", "up")));

        var response = await _host.PostAsync(request, WriteEndpointHost.Alice);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("50001 labels, more than the limit of 30", await response.Content.ReadAsStringAsync());
        Assert.Single((await _host.ReadLogAsync()).SelectMany(e => e.Request.Timeseries));
    }

    [Fact]
    public async Task Over_the_ingestion_rate_answers_429_with_retry_after_and_stores_nothing()
    {
        var request = Request(Enumerable.Range(0, 10).Select(i => Series(("__name__", "m"), ("i", i.ToString()))).ToArray());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.PostAsync(request, WriteEndpointHost.Bob)).StatusCode);
        var response = await _host.PostAsync(request, WriteEndpointHost.Bob);

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.Equal(10, (await _host.ReadLogAsync()).SelectMany(e => e.Request.Timeseries).Count());
        Assert.Equal(10, await _host.CounterAsync("promlake_ingest_refused_samples_total", ("tenant", "slow"), ("reason", "rate_limited")));
    }

    [Fact]
    public async Task Stale_markers_histograms_exemplars_and_metadata_reach_the_log_intact()
    {
        var series = Series(("__name__", "up"), ("job", "a"));
        series.Samples[0].Value = BitConverter.UInt64BitsToDouble(0x7ff0000000000002);
        series.Exemplars.Add(new Exemplar { Labels = { new Label { Name = "trace_id", Value = "abc" } }, Value = 2, Timestamp = 5 });
        var histogram = Series(("__name__", "latency"));
        histogram.Samples.Clear();
        histogram.Histograms.Add(new Histogram { CountInt = 3, Sum = 1.5, Schema = 1, Timestamp = 9, PositiveSpans = { new BucketSpan { Offset = 0, Length = 1 } }, PositiveDeltas = { 3 } });
        var request = Request(series, histogram);
        request.Metadata.Add(new MetricMetadata { Type = MetricMetadata.Types.MetricType.Gauge, MetricFamilyName = "up", Help = "Up." });

        Assert.Equal(HttpStatusCode.NoContent, (await _host.PostAsync(request, WriteEndpointHost.Alice)).StatusCode);

        var stored = (await _host.ReadLogAsync()).SelectMany(e => e.Request.Timeseries.Select(s => (e.Request.Symbols, Series: s))).ToList();
        var up = stored.Single(s => s.Series.Samples.Count == 1).Series;
        Assert.Equal(0x7ff0000000000002UL, BitConverter.DoubleToUInt64Bits(up.Samples[0].Value));
        Assert.Equal(2, up.Exemplars.Single().Value);
        var latency = stored.Single(s => s.Series.Histograms.Count == 1).Series.Histograms[0];
        Assert.Equal(histogram.Histograms[0].ToByteArray(), latency.ToByteArray());
        var metadata = stored.Single(s => s.Series.Metadata is not null);
        Assert.Equal("Up.", metadata.Symbols[(int)metadata.Series.Metadata.HelpRef]);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private static TimeSeries Series(params (string Name, string Value)[] labels)
    {
        var series = new TimeSeries { Samples = { new Sample { Value = 1, Timestamp = 1_700_000_000_000 } } };
        series.Labels.Add(labels.Select(l => new Label { Name = l.Name, Value = l.Value }));
        return series;
    }

    private static WriteRequest Request(params TimeSeries[] series)
    {
        var request = new WriteRequest();
        request.Timeseries.Add(series);
        return request;
    }

    private static V2.Request ToV2(WriteRequest v1)
    {
        var request = new V2.Request { Symbols = { "" } };
        foreach (var s in v1.Timeseries)
        {
            var ts = new V2.TimeSeries();
            foreach (var l in s.Labels)
            {
                request.Symbols.Add(l.Name);
                ts.LabelsRefs.Add((uint)request.Symbols.Count - 1);
                request.Symbols.Add(l.Value);
                ts.LabelsRefs.Add((uint)request.Symbols.Count - 1);
            }

            ts.Samples.Add(s.Samples.Select(x => new V2.Sample { Value = x.Value, Timestamp = x.Timestamp }));
            request.Timeseries.Add(ts);
        }

        return request;
    }
}
