using PromLake.Query.Http;
using PromLake.Query.Model;
using static PromLake.Query.Tests.Http.QueryApiHost;

namespace PromLake.Query.Tests.Http;

/// <summary>/series, /labels, /label/…/values, /metadata, /status/buildinfo, /query_exemplars and /rules.</summary>
public sealed class MetadataEndpointTests : IAsyncLifetime
{
    private QueryApiHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StartAsync();
        _host.Add(Acme, Labels.FromStrings("__name__", "up", "job", "api", "instance", "a"), (100, 1));
        _host.Add(Acme, Labels.FromStrings("__name__", "up", "job", "db", "instance", "b"), (100, 1));
        _host.Add(Acme, Labels.FromStrings("__name__", "http_requests_total", "job", "api", "code", "200"), (100, 5), (200, 6));
        _host.Add(Acme, Labels.FromStrings("__name__", "old_metric", "job", "batch"), (10, 1));
        _host.Add(Acme, Labels.FromStrings("__name__", "utf8", "http.method", "GET"), (100, 1));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Series_answers_the_label_sets_matching_any_selector_sorted()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/series?match[]=" + Q("up{job=\"db\"}") + "&match[]=http_requests_total");

        Assert.Equal(200, status);
        Assert.Equal(
            """[{"__name__":"http_requests_total","code":"200","job":"api"},{"__name__":"up","instance":"b","job":"db"}]""",
            body.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Series_only_counts_series_with_samples_between_start_and_end()
    {
        var (_, body) = await _host.GetJsonAsync("/api/v1/series?match[]=" + Q("{job=~\".+\"}") + "&start=50&end=150");

        var names = body.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("__name__").GetString()).ToList();
        Assert.Equal(["http_requests_total", "up", "up"], names);
    }

    [Fact]
    public async Task Series_without_match_is_400_bad_data()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/series");

        Assert.Equal(400, status);
        Assert.Equal("no match[] parameter provided", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Selector_matching_everything_is_refused()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/series?match[]=" + Q("{job=~\".*\"}"));

        Assert.Equal(400, status);
        Assert.Equal("bad_data", body.GetProperty("errorType").GetString());
        Assert.Equal("invalid parameter \"match[]\": 1:1: parse error: vector selector must contain at least one non-empty matcher", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Series_limit_cuts_and_warns()
    {
        var (_, body) = await _host.GetJsonAsync("/api/v1/series?match[]=up&limit=1");

        Assert.Equal(1, body.GetProperty("data").GetArrayLength());
        Assert.Equal("results truncated due to limit", body.GetProperty("warnings")[0].GetString());
    }

    [Fact]
    public async Task Labels_lists_every_label_name_sorted()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/labels");

        Assert.Equal(200, status);
        Assert.Equal("""["__name__","code","http.method","instance","job"]""", body.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Labels_with_match_lists_only_the_names_of_matching_series()
    {
        var (_, body) = await _host.GetJsonAsync("/api/v1/labels?match[]=http_requests_total&start=150&end=250");

        Assert.Equal("""["__name__","code","job"]""", body.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Label_values_lists_the_values_sorted()
    {
        var (_, names) = await _host.GetJsonAsync("/api/v1/label/__name__/values");
        var (_, jobs) = await _host.GetJsonAsync("/api/v1/label/job/values?match[]=up");

        Assert.Equal("""["http_requests_total","old_metric","up","utf8"]""", names.GetProperty("data").GetRawText());
        Assert.Equal("""["api","db"]""", jobs.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Label_values_of_an_escaped_utf8_name_are_found()
    {
        // Grafana escapes names outside the legacy charset: "http.method" is U__http_2e_method.
        var (status, body) = await _host.GetJsonAsync("/api/v1/label/U__http_2e_method/values");

        Assert.Equal(200, status);
        Assert.Equal("""["GET"]""", body.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Label_values_of_an_unknown_label_are_an_empty_list()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/label/nope/values");

        Assert.Equal(200, status);
        Assert.Equal("[]", body.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Metadata_groups_entries_by_metric_and_honours_limits()
    {
        _host.Metadata.Add(Acme, "http_requests_total", "counter", "Requests served.");
        _host.Metadata.Add(Acme, "up", "gauge", "Whether the target is up.");
        _host.Metadata.Add(Acme, "up", "gauge", "Up, described differently.");

        var (status, all) = await _host.GetJsonAsync("/api/v1/metadata");
        var (_, one) = await _host.GetJsonAsync("/api/v1/metadata?metric=up&limit_per_metric=1");
        var (_, limited) = await _host.GetJsonAsync("/api/v1/metadata?limit=1");
        var (bad, error) = await _host.GetJsonAsync("/api/v1/metadata?limit=x");

        Assert.Equal(200, status);
        Assert.Equal(
            """{"http_requests_total":[{"type":"counter","help":"Requests served.","unit":""}],"up":[{"type":"gauge","help":"Whether the target is up.","unit":""},{"type":"gauge","help":"Up, described differently.","unit":""}]}""",
            all.GetProperty("data").GetRawText());
        Assert.Equal("""{"up":[{"type":"gauge","help":"Whether the target is up.","unit":""}]}""", one.GetProperty("data").GetRawText());
        Assert.Single(limited.GetProperty("data").EnumerateObject());
        Assert.Equal(400, bad);
        Assert.Equal("limit must be a number", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Buildinfo_reports_a_Prometheus_version_and_no_features()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/status/buildinfo");

        Assert.Equal(200, status);
        var data = body.GetProperty("data");
        Assert.Equal("3.0.0", data.GetProperty("version").GetString());
        foreach (var field in new[] { "revision", "branch", "buildUser", "buildDate", "goVersion" })
        {
            Assert.False(string.IsNullOrEmpty(data.GetProperty(field).GetString()), field);
        }

        // Grafana takes a "features" object for Mimir and would then use the Mimir ruler API.
        Assert.False(data.TryGetProperty("features", out _));
    }

    [Fact]
    public async Task Exemplars_are_an_empty_list_for_a_valid_query()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/query_exemplars?query=up&start=0&end=100");
        var (bad, _) = await _host.GetJsonAsync("/api/v1/query_exemplars?query=" + Q("up{"));

        Assert.Equal(200, status);
        Assert.Equal("[]", body.GetProperty("data").GetRawText());
        Assert.Equal(400, bad);
    }

    [Fact]
    public async Task Exemplars_come_per_series_in_Prometheus_s_shape_for_every_selector_of_the_query()
    {
        var api = Labels.FromStrings("__name__", "http_requests_total", "job", "api");
        var db = Labels.FromStrings("__name__", "db_queries_total", "job", "db");
        var other = Labels.FromStrings("__name__", "http_requests_total", "job", "other");
        _host.Store(QueryApiHost.Acme).AppendExemplar(api, new ExemplarSample(Labels.FromStrings("trace_id", "abc"), 6, 1_600_096_945_479));
        _host.Store(QueryApiHost.Acme).AppendExemplar(api, new ExemplarSample(Labels.FromStrings("trace_id", "old"), 1, 1_000));
        _host.Store(QueryApiHost.Acme).AppendExemplar(db, new ExemplarSample(Labels.FromStrings("trace_id", "def"), 0.25, 1_600_096_950_000));
        _host.Store(QueryApiHost.Acme).AppendExemplar(other, new ExemplarSample(Labels.FromStrings("trace_id", "no"), 1, 1_600_096_950_000));
        _host.Store(QueryApiHost.Globex).AppendExemplar(api, new ExemplarSample(Labels.FromStrings("trace_id", "globex"), 1, 1_600_096_950_000));

        var (status, body) = await _host.GetJsonAsync("/api/v1/query_exemplars?start=1600096900&end=1600097000&query="
            + Q("""sum(rate(http_requests_total{job="api"}[5m])) / sum(rate(db_queries_total[5m]))"""));

        Assert.Equal(200, status);
        Assert.Equal(
            """[{"seriesLabels":{"__name__":"db_queries_total","job":"db"},"exemplars":[{"labels":{"trace_id":"def"},"value":"0.25","timestamp":1600096950}]},"""
            + """{"seriesLabels":{"__name__":"http_requests_total","job":"api"},"exemplars":[{"labels":{"trace_id":"abc"},"value":"6","timestamp":1600096945.479}]}]""",
            body.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Rules_are_an_empty_group_list()
    {
        var (status, body) = await _host.GetJsonAsync("/api/v1/rules");

        Assert.Equal(200, status);
        Assert.Equal("""{"groups":[]}""", body.GetProperty("data").GetRawText());
    }
}
