using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PromLake.Ingest;
using PromLake.Ingest.Tenancy;
using PromLake.Log;
using PromLake.Log.Blobs;
using PromLake.Log.Tests.Blobs;
using PromLake.Protocol.Prompb;
using PromLake.Storage.Compaction;
using PromLake.Storage.Tests.Compaction;

namespace PromLake.Functions.Tests;

/// <summary>
/// The Functions app as the worker builds it (<see cref="FunctionsServiceCollectionExtensions.AddPromLakeFunctions"/>,
/// the wiring Program.cs uses), over a local log in a temporary folder and Azurite for blocks (and, when asked,
/// checkpoints and shard leases); its function classes are created the way the worker activates them and called
/// with real HttpContexts (Core Tools cannot run here).
/// </summary>
internal sealed class FunctionsApp : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "s3cret";
    public const string Tenant = "acme";

    /// <summary>Where the tests write: 2023-11-14 22:13:20 UTC.</summary>
    public const long SampleTime = 1_700_000_000_000;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "promlake-func-" + Guid.NewGuid().ToString("N"));
    private readonly AzuriteFixture _azurite;
    private readonly IConfiguration _configuration;

    public FunctionsApp(AzuriteFixture azurite, bool blobCheckpoints, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        _azurite = azurite;
        BlocksContainer = "b" + Guid.NewGuid().ToString("N");
        CheckpointsContainer = blobCheckpoints ? "c" + Guid.NewGuid().ToString("N") : null;
        var values = new Dictionary<string, string?>
        {
            ["PromLake:Log:Directory"] = _directory,
            ["PromLake:Tenants:acme:Credentials:0:Type"] = "basic",
            ["PromLake:Tenants:acme:Credentials:0:Username"] = User,
            ["PromLake:Tenants:acme:Credentials:0:SecretHash"] = SecretHash.Create(Password, 10_000),
            ["PromLake:Storage:ConnectionString"] = azurite.ConnectionString,
            ["PromLake:Storage:ContainerName"] = BlocksContainer,
        };
        if (CheckpointsContainer is not null)
        {
            values["PromLake:Checkpoints:ConnectionString"] = azurite.ConnectionString;
            values["PromLake:Checkpoints:ContainerName"] = CheckpointsContainer;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        _configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        // Each app gets its own registry: the default one is shared by every test in the process.
        services.AddSingleton(new IngestMetrics(Prometheus.Metrics.NewCustomRegistry()));
        services.AddPromLakeFunctions(_configuration);
        configure?.Invoke(services);
        Services = services.BuildServiceProvider();
    }

    public ServiceProvider Services { get; }

    /// <summary>
    /// The app's clock (ingest's receive time, the compactor's "is this hour over"): a minute after
    /// <see cref="SampleTime"/>, where the tests write, until a test moves it.
    /// </summary>
    public ManualClock Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(SampleTime).AddMinutes(1));

    public string BlocksContainer { get; }

    public string? CheckpointsContainer { get; }

    public BlobContainerClient Blocks => _azurite.Container(BlocksContainer);

    public ILogReader Log => Services.GetRequiredService<ILogReader>();

    public ICheckpointStore Checkpoints => Services.GetRequiredService<ICheckpointStore>();

    public RemoteWriteFunction WriteFunction => ActivatorUtilities.CreateInstance<RemoteWriteFunction>(Services);

    public QueryApiFunctions QueryFunctions => ActivatorUtilities.CreateInstance<QueryApiFunctions>(Services);

    public CompactorFunction CompactorFunction => ActivatorUtilities.CreateInstance<CompactorFunction>(Services);

    /// <summary>
    /// A compactor function as a second instance of the app would have it: its own pass and its own blob clients
    /// for the same containers, reading the same log (as every instance reads the same Event Hub).
    /// </summary>
    public CompactorFunction CompactorFunctionOfAnotherInstance()
    {
        var options = new CompactorOptions();
        _configuration.GetSection(CompactorOptions.Section).Bind(options);
        var checkpointOptions = new BlobCheckpointOptions();
        _configuration.GetSection(BlobCheckpointOptions.Section).Bind(checkpointOptions);
        var checkpoints = new BlobCheckpointStore(checkpointOptions.CreateContainerClient(), checkpointOptions);
        var pass = new CompactionPass(Log, checkpoints, _azurite.Container(BlocksContainer), options, Services.GetRequiredService<ILoggerFactory>(), Services.GetRequiredService<TenantRetention>(), Clock);
        return new CompactorFunction(pass);
    }

    public static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>Sends one remote write (RW 1.0) through the write function; returns the status.</summary>
    public async Task<int> WriteAsync(IEnumerable<(string Name, string Instance, double Value, long TimestampMs)> samples, string? authorization = null)
    {
        var request = new WriteRequest();
        foreach (var (name, instance, value, timestamp) in samples)
        {
            var series = new TimeSeries { Samples = { new Sample { Value = value, Timestamp = timestamp } } };
            series.Labels.Add(new Label { Name = "__name__", Value = name });
            series.Labels.Add(new Label { Name = "instance", Value = instance });
            request.Timeseries.Add(series);
        }

        var context = NewContext("POST", "/api/v1/write", authorization ?? Basic(User, Password));
        context.Request.ContentType = "application/x-protobuf";
        context.Request.Headers.ContentEncoding = "snappy";
        context.Request.Body = new MemoryStream(Snappier.Snappy.CompressToArray(request.ToByteArray()));
        await WriteFunction.RunAsync(context.Request);
        return context.Response.StatusCode;
    }

    /// <summary>A request for a query trigger: GET with the parameters in the URL, or a form POST.</summary>
    public HttpContext QueryRequest(string method, string path, string parameters, string? authorization = null)
    {
        var context = NewContext(method, path, authorization ?? Basic(User, Password));
        if (method == "GET")
        {
            context.Request.QueryString = new QueryString("?" + parameters);
        }
        else
        {
            context.Request.ContentType = "application/x-www-form-urlencoded";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(parameters));
        }

        return context;
    }

    public static JsonDocument Json(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return JsonDocument.Parse(context.Response.Body);
    }

    public static string Text(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }

    /// <summary>Runs the timer function once, as the host does on a tick.</summary>
    public static Task TickAsync(CompactorFunction function) => function.RunAsync(new TimerInfo(), CancellationToken.None);

    /// <summary>Where each shard of the log ends now (the checkpoint a drained compactor commits) and how many events it has.</summary>
    public async Task<(long End, int Events)[]> LogEndsAsync()
    {
        var ends = new (long, int)[Log.ShardCount];
        for (var shard = 0; shard < ends.Length; shard++)
        {
            var position = LogPosition.Start;
            var events = 0;
            while (true)
            {
                var batch = await Log.ReadAsync(shard, position, 1000, TimeSpan.Zero);
                if (batch.Records.Count == 0)
                {
                    break;
                }

                events += batch.Records.Count;
                position = batch.NextPosition;
            }

            ends[shard] = (position, events);
        }

        return ends;
    }

    /// <summary>The level-0 blobs in the block container, by name.</summary>
    public async Task<List<string>> Level0BlobsAsync() => (await BlobsAsync()).FindAll(name => Path.GetFileName(name).StartsWith("l0-", StringComparison.Ordinal));

    /// <summary>Every blob of the blocks container, of any level.</summary>
    public async Task<List<string>> BlobsAsync()
    {
        var names = new List<string>();
        if (!await Blocks.ExistsAsync())
        {
            return names;
        }

        await foreach (var blob in Blocks.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private DefaultHttpContext NewContext(string method, string path, string authorization)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Headers.Authorization = authorization;
        context.Response.Body = new MemoryStream();
        return context;
    }
}
