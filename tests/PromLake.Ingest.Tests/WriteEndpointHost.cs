using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromLake.Ingest.Tenancy;
using PromLake.Log;
using PromLake.Protocol.LogEvents;
using Prometheus;

namespace PromLake.Ingest.Tests;

/// <summary>
/// The write endpoint in an in-memory ASP.NET Core host over a real local log
/// in a temporary folder, with two tenants: <c>acme</c> (alice / s3cret) and
/// <c>slow</c> (bob / pw, ingestion rate 10 samples/s, burst 10).
/// </summary>
public sealed class WriteEndpointHost : IAsyncDisposable
{
    public const int ShardCount = 4;
    private readonly WebApplication _app;

    private WriteEndpointHost(WebApplication app, CollectorRegistry registry)
    {
        _app = app;
        Registry = registry;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public CollectorRegistry Registry { get; }

    public ILogReader Log => _app.Services.GetRequiredService<ILogReader>();

    public static async Task<WriteEndpointHost> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        var directory = Path.Combine(Path.GetTempPath(), "promlake-ingest-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>
        {
            ["PromLake:Log:Directory"] = directory,
            ["PromLake:Log:ShardCount"] = ShardCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The tests' fixed timestamps go back to 1970; a century of retention keeps them all.
            ["PromLake:Limits:RetentionDays"] = "36500",
            ["PromLake:Tenants:acme:Credentials:0:Type"] = "basic",
            ["PromLake:Tenants:acme:Credentials:0:Username"] = "alice",
            ["PromLake:Tenants:acme:Credentials:0:SecretHash"] = SecretHash.Create("s3cret", 10_000),
            ["PromLake:Tenants:acme:Limits:MaxSeriesPerRequest"] = "100",
            ["PromLake:Tenants:acme:Limits:MaxDecompressedBytes"] = "1000000",
            ["PromLake:Tenants:slow:Credentials:0:Type"] = "basic",
            ["PromLake:Tenants:slow:Credentials:0:Username"] = "bob",
            ["PromLake:Tenants:slow:Credentials:0:SecretHash"] = SecretHash.Create("pw", 10_000),
            ["PromLake:Tenants:slow:Limits:IngestionRate"] = "10",
            ["PromLake:Tenants:slow:Limits:IngestionBurstSize"] = "10",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        var registry = Metrics.NewCustomRegistry();
        builder.Services.AddSingleton(new IngestMetrics(registry));
        builder.Services.AddPromLakeLocalLog(builder.Configuration);
        builder.Services.AddPromLakeIngest(builder.Configuration);
        var app = builder.Build();
        app.MapPost("/api/v1/write", app.Services.GetRequiredService<RemoteWriteEndpoint>().HandleAsync);
        await app.StartAsync();
        var host = new WriteEndpointHost(app, registry);
        host._cleanup = directory;
        return host;
    }

    private string? _cleanup;

    public static AuthenticationHeaderValue Alice => Basic("alice", "s3cret");

    public static AuthenticationHeaderValue Bob => Basic("bob", "pw");

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public Task<HttpResponseMessage> PostAsync(IMessage request, AuthenticationHeaderValue? auth, string contentType = "application/x-protobuf;proto=prometheus.WriteRequest") =>
        PostRawAsync(Snappier.Snappy.CompressToArray(request.ToByteArray()), auth, contentType);

    public Task<HttpResponseMessage> PostRawAsync(byte[] body, AuthenticationHeaderValue? auth, string contentType = "application/x-protobuf;proto=prometheus.WriteRequest", string encoding = "snappy")
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/write") { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        message.Content.Headers.ContentEncoding.Add(encoding);
        message.Headers.Authorization = auth;
        return Client.SendAsync(message);
    }

    /// <summary>Every event in the log, parsed with the reference parser.</summary>
    public async Task<List<IngestEvent>> ReadLogAsync()
    {
        var events = new List<IngestEvent>();
        for (var shard = 0; shard < ShardCount; shard++)
        {
            long position = LogPosition.Start;
            while (true)
            {
                var batch = await Log.ReadAsync(shard, position, 1000, TimeSpan.Zero);
                if (batch.Records.Count == 0)
                {
                    break;
                }

                events.AddRange(batch.Records.Select(r => IngestEvent.Parser.ParseFrom(r.Payload.Span)));
                position = batch.NextPosition;
            }
        }

        return events;
    }

    public async Task<double> CounterAsync(string name, params (string Label, string Value)[] labels)
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"")))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_cleanup is not null && Directory.Exists(_cleanup))
        {
            Directory.Delete(_cleanup, recursive: true);
        }
    }
}
