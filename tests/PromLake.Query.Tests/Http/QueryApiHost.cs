using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PromLake.Query.Http;
using PromLake.Query.Model;
using PromLake.Query.Storage;

namespace PromLake.Query.Tests.Http;

/// <summary>
/// The query API in an in-memory ASP.NET Core host, mapped with <c>MapPromLakeQueryApi</c> exactly as a host
/// does, over one <see cref="InMemorySeriesStore"/> per tenant. A request authenticates with
/// <c>Authorization: Bearer &lt;tenant&gt;</c> for the tenants <see cref="Acme"/> and <see cref="Globex"/>.
/// </summary>
public sealed class QueryApiHost : IAsyncDisposable
{
    public const string Acme = "acme";
    public const string Globex = "globex";

    private readonly WebApplication _app;

    private QueryApiHost(WebApplication app, Dictionary<string, ISeriesQuerier> stores, InMemoryMetadataStore metadata)
    {
        _app = app;
        Stores = stores;
        Metadata = metadata;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public Dictionary<string, ISeriesQuerier> Stores { get; }

    public InMemoryMetadataStore Metadata { get; }

    public InMemorySeriesStore Store(string tenant) => (InMemorySeriesStore)Stores[tenant];

    public static async Task<QueryApiHost> StartAsync(IDictionary<string, string?>? settings = null, Func<ISeriesQuerier, ISeriesQuerier>? wrap = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        var stores = new Dictionary<string, ISeriesQuerier> { [Acme] = new InMemorySeriesStore(), [Globex] = new InMemorySeriesStore() };
        var metadata = new InMemoryMetadataStore();
        builder.Services.AddPromLakeQuery(builder.Configuration);
        builder.Services.AddSingleton(TenantResolver.From(ctx =>
        {
            var auth = ctx.Request.Headers.Authorization.ToString();
            var tenant = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..] : null;
            return tenant is not null && stores.ContainsKey(tenant) ? tenant : null;
        }));
        builder.Services.AddSingleton(TenantSeriesSource.From(t => wrap is null ? stores[t] : wrap(stores[t])));
        builder.Services.AddSingleton<ITenantMetadataSource>(metadata);
        var app = builder.Build();
        app.MapPromLakeQueryApi();
        await app.StartAsync();
        var host = new QueryApiHost(app, stores, metadata);
        host.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Acme);
        return host;
    }

    /// <summary>Adds float samples (t in seconds) to a tenant's series.</summary>
    public void Add(string tenant, Labels labels, params (double Seconds, double Value)[] samples)
    {
        foreach (var (s, v) in samples)
        {
            Store(tenant).Append(labels, new StoredSample((long)Math.Round(s * 1000), v));
        }
    }

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, string tenant = Acme)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant);
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> form, string tenant = Acme)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant);
        return Client.SendAsync(request);
    }

    /// <summary>Sends a GET and returns the status and the parsed JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> GetJsonAsync(string pathAndQuery, string tenant = Acme)
    {
        using var response = await GetAsync(pathAndQuery, tenant);
        return ((int)response.StatusCode, await ReadJsonAsync(response));
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static string Q(string s) => Uri.EscapeDataString(s);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
