using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PromLake.Ingest;
using PromLake.Ingest.Tenancy;
using PromLake.Log;
using PromLake.Protocol.Prompb;

namespace PromLake.Functions.Tests;

/// <summary>
/// The function class, called directly as the Functions host would call it with
/// ASP.NET Core integration (Core Tools cannot run here): the same services as
/// Program.cs registers, a real local log, a real HttpContext.
/// </summary>
public sealed class RemoteWriteFunctionTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "promlake-func-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider _services = null!;

    public Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PromLake:Log:Directory"] = _directory,
            ["PromLake:Tenants:acme:Credentials:0:Type"] = "basic",
            ["PromLake:Tenants:acme:Credentials:0:Username"] = "alice",
            ["PromLake:Tenants:acme:Credentials:0:SecretHash"] = SecretHash.Create("s3cret", 10_000),
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddPromLakeLocalLog(configuration);
        services.AddPromLakeIngest(configuration);
        services.AddSingleton(new IngestMetrics(Prometheus.Metrics.NewCustomRegistry()));
        services.AddSingleton<RemoteWriteFunction>();
        _services = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_http_trigger_stores_the_write_and_leaves_the_handlers_204_in_place()
    {
        var context = Post(Credentials("alice", "s3cret"));

        var result = await _services.GetRequiredService<RemoteWriteFunction>().RunAsync(context.Request);

        Assert.IsType<EmptyResult>(result);
        Assert.Equal(StatusCodes.Status204NoContent, context.Response.StatusCode);
        var batch = await _services.GetRequiredService<ILogReader>().ReadAsync(0, LogPosition.Start, 10, TimeSpan.Zero);
        var all = batch.Records.Count;
        for (var shard = 1; shard < 4; shard++)
        {
            all += (await _services.GetRequiredService<ILogReader>().ReadAsync(shard, LogPosition.Start, 10, TimeSpan.Zero)).Records.Count;
        }

        Assert.Equal(1, all);
    }

    [Fact]
    public async Task The_http_trigger_answers_401_for_a_wrong_password()
    {
        var context = Post(Credentials("alice", "nope"));

        await _services.GetRequiredService<RemoteWriteFunction>().RunAsync(context.Request);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
    }

    private DefaultHttpContext Post(string authorization)
    {
        var request = new WriteRequest();
        var series = new TimeSeries { Samples = { new Sample { Value = 1, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() } } };
        series.Labels.Add(new Label { Name = "__name__", Value = "up" });
        request.Timeseries.Add(series);
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Method = "POST";
        context.Request.Path = "/api/v1/write";
        context.Request.ContentType = "application/x-protobuf";
        context.Request.Headers.ContentEncoding = "snappy";
        context.Request.Headers.Authorization = authorization;
        context.Request.Body = new MemoryStream(Snappier.Snappy.CompressToArray(request.ToByteArray()));
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Credentials(string user, string password) =>
        "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"));
}
