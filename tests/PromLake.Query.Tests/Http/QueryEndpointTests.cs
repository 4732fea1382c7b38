using System.Text.Json;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.Storage;
using static PromLake.Query.Tests.Http.QueryApiHost;

namespace PromLake.Query.Tests.Http;

/// <summary>/api/v1/query and /api/v1/query_range: Prometheus's shapes, errors and limits.</summary>
public sealed class QueryEndpointTests : IAsyncLifetime
{
    private QueryApiHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StartAsync();
        var up1 = Labels.FromStrings("__name__", "up", "job", "api", "instance", "a:9090");
        var up2 = Labels.FromStrings("__name__", "up", "job", "db", "instance", "b:9090");
        _host.Add(Acme, up1, (0, 1), (15, 1), (30, 1), (45, 0.1), (60, 1e21));
        _host.Add(Acme, up2, (0, 0), (15, 0), (30, 1), (45, 1), (60, 1));
        _host.Add(Acme, Labels.FromStrings("__name__", "requests", "job", "api"), (0, 0), (30, 30), (60, 60));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Instant_query_answers_a_vector_with_string_values_and_second_timestamps()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/query?query=up&time=60");

        Assert.Equal(200, status);
        Assert.Equal("success", body.GetProperty("status").GetString());
        var data = body.GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        var result = data.GetProperty("result");
        Assert.Equal(2, result.GetArrayLength());
        var first = result[0];
        Assert.Equal("up", first.GetProperty("metric").GetProperty("__name__").GetString());
        Assert.Equal("a:9090", first.GetProperty("metric").GetProperty("instance").GetString());
        Assert.Equal(JsonValueKind.Number, first.GetProperty("value")[0].ValueKind);
        Assert.Equal(60, first.GetProperty("value")[0].GetDouble());
        Assert.Equal("1e+21", first.GetProperty("value")[1].GetString());
        Assert.Equal("1", result[1].GetProperty("value")[1].GetString());
        Assert.False(body.TryGetProperty("warnings", out _));
        Assert.False(body.TryGetProperty("infos", out _));
    }

    [Fact]
    public async Task Instant_query_writes_the_exact_bytes_Prometheus_writes()
    {
        using var response = await _host.GetAsync("/api/v1/query?query=" + Q("up{job=\"api\"}") + "&time=45.5");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(
            """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a:9090","job":"api"},"value":[45.500,"0.1"]}]}}""",
            text);
    }

    [Fact]
    public async Task Instant_query_of_a_range_selector_answers_a_matrix_of_raw_samples()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/query?query=" + Q("up{job=\"db\"}[30s]") + "&time=60");

        Assert.Equal(200, status);
        Assert.Equal("matrix", body.GetProperty("data").GetProperty("resultType").GetString());
        var values = body.GetProperty("data").GetProperty("result")[0].GetProperty("values");
        Assert.Equal(2, values.GetArrayLength());
        Assert.Equal(45, values[0][0].GetDouble());
        Assert.Equal("1", values[0][1].GetString());
        Assert.False(body.GetProperty("data").GetProperty("result")[0].TryGetProperty("histograms", out _));
    }

    [Fact]
    public async Task Scalar_and_string_queries_answer_a_timestamp_and_a_string()
    {
        var (_, scalar) = await _host.GetJsonAsync("/api/v1/query?query=" + Q("1/3") + "&time=10.001");
        var (_, str) = await _host.GetJsonAsync("/api/v1/query?query=" + Q("\"hello\"") + "&time=10");

        Assert.Equal("scalar", scalar.GetProperty("data").GetProperty("resultType").GetString());
        Assert.Equal("[10.001,\"0.3333333333333333\"]", scalar.GetProperty("data").GetProperty("result").GetRawText());
        Assert.Equal("string", str.GetProperty("data").GetProperty("resultType").GetString());
        Assert.Equal("[10,\"hello\"]", str.GetProperty("data").GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Range_query_answers_a_matrix_with_one_point_per_step()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/query_range?query=" + Q("up{job=\"db\"}") + "&start=0&end=60&step=15s");

        Assert.Equal(200, status);
        var data = body.GetProperty("data");
        Assert.Equal("matrix", data.GetProperty("resultType").GetString());
        var values = data.GetProperty("result")[0].GetProperty("values");
        Assert.Equal("[[0,\"0\"],[15,\"0\"],[30,\"1\"],[45,\"1\"],[60,\"1\"]]", values.GetRawText());
    }

    [Fact]
    public async Task Range_query_accepts_rfc3339_times_and_float_second_steps()
    {
        var (status, body) = await _host.GetJsonAsync(
            "/api/v1/query_range?query=up&start=1970-01-01T00:00:00Z&end=" + Q("1970-01-01T01:00:30+01:00") + "&step=7.5");

        Assert.Equal(200, status);
        Assert.Equal(5, body.GetProperty("data").GetProperty("result")[0].GetProperty("values").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/v1/query", "query=up&time=60")]
    [InlineData("/api/v1/query", "query=sum%20by%20(job)%20(up)&time=45&limit=1")]
    [InlineData("/api/v1/query_range", "query=rate(requests%5B1m%5D)&start=0&end=60&step=30")]
    [InlineData("/api/v1/series", "match%5B%5D=up&match%5B%5D=requests")]
    [InlineData("/api/v1/labels", "match%5B%5D=requests")]
    [InlineData("/api/v1/query", "query=up%7B")]
    public async Task Get_and_form_post_answer_the_same(string path, string query)
    {
        using var get = await _host.GetAsync(path + "?" + query);
        var form = query.Split('&').Select(kv => kv.Split('=', 2)).Select(kv => KeyValuePair.Create(Uri.UnescapeDataString(kv[0]), Uri.UnescapeDataString(kv[1])));
        using var post = await _host.PostFormAsync(path, form);

        Assert.Equal(get.StatusCode, post.StatusCode);
        Assert.Equal(await get.Content.ReadAsStringAsync(), await post.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unparsable_query_is_400_bad_data_with_the_parser_message()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/query?query=" + Q("sum(up"));

        Assert.Equal(400, status);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal("bad_data", body.GetProperty("errorType").GetString());
        Assert.StartsWith("invalid parameter \"query\": 1:", body.GetProperty("error").GetString());
        Assert.Contains("parse error", body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task Range_query_of_a_range_vector_is_400_bad_data()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/query_range?query=" + Q("up[1m]") + "&start=0&end=60&step=15");

        Assert.Equal(400, status);
        Assert.Equal("invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector",
            body.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("start=abc&end=60&step=15", "invalid parameter \"start\": cannot parse \"abc\" to a valid timestamp")]
    [InlineData("start=60&end=0&step=15", "invalid parameter \"end\": end timestamp must not be before start time")]
    [InlineData("start=0&end=60&step=0", "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("start=0&end=60&step=x", "invalid parameter \"step\": cannot parse \"x\" to a valid duration")]
    [InlineData("start=0&end=60&step=15&timeout=soon", "invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration")]
    [InlineData("start=0&end=60&step=15&limit=-1", "invalid parameter \"limit\": limit must be non-negative")]
    public async Task Malformed_range_parameters_are_400_with_Prometheus_messages(string parameters, string message)
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/query_range?query=up&" + parameters);

        Assert.Equal(400, status);
        Assert.Equal("bad_data", body.GetProperty("errorType").GetString());
        Assert.Equal(message, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Range_query_over_11000_points_per_series_is_400_with_Prometheus_message()
    {
        var (ok, _) = await _host.GetJsonAsync("/api/v1/query_range?query=up&start=0&end=11000&step=1");
        var (status, body) = await _host.GetJsonAsync("/api/v1/query_range?query=up&start=0&end=11001&step=1");

        Assert.Equal(200, ok);
        Assert.Equal(400, status);
        Assert.Equal("bad_data", body.GetProperty("errorType").GetString());
        Assert.Equal("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
            body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Limit_cuts_the_series_and_says_so_in_a_warning()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/query?query=up&time=60&limit=1");

        Assert.Equal(200, status);
        Assert.Equal(1, body.GetProperty("data").GetProperty("result").GetArrayLength());
        Assert.Equal("[\"results truncated due to limit\"]", body.GetProperty("warnings").GetRawText());
    }

    [Fact]
    public async Task Annotations_are_returned_as_infos_beside_the_data()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/query?query=" + Q("rate(up[1m])") + "&time=60");

        Assert.Equal(200, status);
        var info = Assert.Single(body.GetProperty("infos").EnumerateArray());
        Assert.Equal("PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"up\"", info.GetString());
        Assert.False(body.TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task Evaluation_error_is_422_execution()
    {
        _host.Add(Acme, Labels.FromStrings("__name__", "dup", "a", "1", "b", "x"), (0, 1));
        _host.Add(Acme, Labels.FromStrings("__name__", "dup", "a", "1", "b", "y"), (0, 1));

        var (status, body) = await _host.GetJsonAsync("/api/v1/query?query=" + Q("label_replace(dup, \"b\", \"\", \"\", \"\")") + "&time=0");

        Assert.Equal(422, status);
        Assert.Equal("execution", body.GetProperty("errorType").GetString());
        Assert.Equal("vector cannot contain metrics with the same labelset", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Query_over_the_sample_limit_is_422_execution()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["PromLake:Query:MaxSamples"] = "10" });
        for (var i = 0; i < 3; i++)
        {
            host.Add(Acme, Labels.FromStrings("__name__", "m", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), (0, 1), (60, 1));
        }

        var (small, _) = await host.GetJsonAsync("/api/v1/query_range?query=m&start=0&end=20&step=10");
        var (status, body) = await host.GetJsonAsync("/api/v1/query_range?query=m&start=0&end=60&step=10");

        Assert.Equal(200, small);
        Assert.Equal(422, status);
        Assert.Equal("execution", body.GetProperty("errorType").GetString());
        Assert.Equal("query processing would load too many samples into memory in query execution", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Query_past_its_timeout_is_503_timeout()
    {
        await using var host = await StartAsync(wrap: inner => new StallingQuerier());

        var (status, body) = await host.GetJsonAsync("/api/v1/query_range?query=up&start=0&end=60&step=15&timeout=50ms");

        Assert.Equal(503, status);
        Assert.Equal("timeout", body.GetProperty("errorType").GetString());
        Assert.Equal("query timed out in expression evaluation", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Configured_timeout_bounds_every_query()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["PromLake:Query:Timeout"] = "00:00:00.050" }, _ => new StallingQuerier());

        var (status, body) = await host.GetJsonAsync("/api/v1/query?query=up&timeout=1h");

        Assert.Equal(503, status);
        Assert.Equal("timeout", body.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task Native_histogram_samples_are_written_as_count_sum_and_buckets()
    {
        var h = new FloatHistogram
        {
            Schema = 0,
            Count = 6,
            Sum = 10.5,
            ZeroThreshold = 0.001,
            ZeroCount = 1,
            PositiveSpans = [new BucketSpan(0, 2)],
            PositiveBuckets = [2, 3],
        };
        _host.Store(Acme).Append(Labels.FromStrings("__name__", "latency"), new StoredSample(10_000, 0, h));

        using var response = await _host.GetAsync("/api/v1/query?query=latency&time=10");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(
            """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"latency"},"histogram":[10,{"count":"6","sum":"10.5","buckets":[[3,"-0.001","0.001","1"],[0,"0.5","1","2"],[0,"1","2","3"]]}]}]}}""",
            text);
    }

    [Fact]
    public async Task Request_without_credentials_is_401_with_the_write_paths_challenges()
    {
        using var response = await _host.GetAsync("/api/v1/query?query=up", tenant: "nobody");

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    /// <summary>A store that never answers until the query is cancelled.</summary>
    private sealed class StallingQuerier : ISeriesQuerier
    {
        public async ValueTask<IReadOnlyList<StoredSeries>> SelectAsync(SelectRequest request, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        }
    }
}
