using PromLake.Query.Model;
using static PromLake.Query.Tests.Http.QueryApiHost;

namespace PromLake.Query.Tests.Http;

/// <summary>A tenant sees its own series, label names and values through every endpoint, and nothing of another's.</summary>
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private QueryApiHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StartAsync();
        _host.Add(Acme, Labels.FromStrings("__name__", "shared_metric", "owner", "acme", "acme_only_label", "x"), (10, 1));
        _host.Add(Globex, Labels.FromStrings("__name__", "shared_metric", "owner", "globex", "globex_secret", "y"), (10, 2));
        _host.Add(Globex, Labels.FromStrings("__name__", "globex_only_metric"), (10, 3));
        _host.Metadata.Add(Globex, "globex_only_metric", "gauge", "Globex's own.");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/query?query=shared_metric&time=10")]
    [InlineData("/api/v1/query?query=" + "%7B__name__%3D~%22.%2B%22%7D&time=10")]
    [InlineData("/api/v1/query_range?query=sum(shared_metric)%20by%20(owner)&start=0&end=20&step=5")]
    [InlineData("/api/v1/series?match[]=%7B__name__%3D~%22.%2B%22%7D")]
    [InlineData("/api/v1/labels")]
    [InlineData("/api/v1/label/__name__/values")]
    [InlineData("/api/v1/label/owner/values")]
    [InlineData("/api/v1/metadata")]
    public async Task Acme_never_sees_globex_data(string pathAndQuery)
    {
        using var response = await _host.GetAsync(pathAndQuery, Acme);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.DoesNotContain("globex", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Each_tenant_gets_its_own_answer_to_the_same_query()
    {
        var (_, acme) = await _host.GetJsonAsync("/api/v1/query?query=shared_metric&time=10", Acme);
        var (_, globex) = await _host.GetJsonAsync("/api/v1/query?query=shared_metric&time=10", Globex);

        Assert.Equal("acme", acme.GetProperty("data").GetProperty("result")[0].GetProperty("metric").GetProperty("owner").GetString());
        Assert.Equal("1", acme.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
        Assert.Equal("globex", globex.GetProperty("data").GetProperty("result")[0].GetProperty("metric").GetProperty("owner").GetString());
        Assert.Single(globex.GetProperty("data").GetProperty("result").EnumerateArray());
    }

    [Fact]
    public async Task Globex_sees_its_own_label_names_only()
    {
        var (_, body) = await _host.GetJsonAsync("/api/v1/labels", Globex);

        Assert.Equal("""["__name__","globex_secret","owner"]""", body.GetProperty("data").GetRawText());
    }
}
