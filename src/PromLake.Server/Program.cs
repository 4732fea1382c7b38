using PromLake.Ingest;
using PromLake.Ingest.Tenancy;
using PromLake.Log;
using PromLake.Log.Blobs;
using PromLake.Log.EventHubs;
using PromLake.Query.Http;
using PromLake.Query.Store;
using PromLake.Storage.Compaction;
using PromLake.Server;
using Prometheus;

if (args.Length > 0 && args[0] == "credential")
{
    return CredentialCommand.Run(args);
}

// appsettings*.json sit beside the binary; finding them must not depend on the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// The standalone server answers on Functions' local port unless told otherwise (--urls).
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
{
    builder.WebHost.UseUrls("http://localhost:7071");
}

builder.Logging.ClearProviders();
if (builder.Environment.IsDevelopment())
{
    builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
}
else
{
    builder.Logging.AddJsonConsole();
}

builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
// The ingest log: Event Hubs when PromLake:EventHubs names a hub (Azure, the emulator or the
// fake broker), otherwise the local durable file log.
if (builder.Configuration.HasEventHubsLog())
{
    builder.Services.AddPromLakeEventHubsLog(builder.Configuration);

    // With Event Hubs the compactor's checkpoints live in blob storage (PromLake:Checkpoints).
    var checkpoints = new BlobCheckpointOptions();
    builder.Configuration.GetSection("PromLake:Checkpoints").Bind(checkpoints);
    var credential = checkpoints.ServiceUri is null ? null : new Azure.Identity.DefaultAzureCredential();
    builder.Services.AddSingleton<ICheckpointStore>(new BlobCheckpointStore(checkpoints.CreateContainerClient(credential), checkpoints));
}
else
{
    builder.Services.AddPromLakeLocalLog(builder.Configuration);
}
builder.Services.AddPromLakeIngest(builder.Configuration);

// The compactor: log → deduplicated level-0 Parquet blocks in blob storage (Azurite by default), merged into
// hour and day blocks; it deletes days past each tenant's retention, the limit the write path enforces.
builder.Services.AddSingleton(sp => RetentionOf(sp.GetRequiredService<TenantDirectory>()));
builder.Services.AddPromLakeCompactor(builder.Configuration);

// Queries: the Prometheus HTTP API and remote read over the blocks and the log tail, per tenant,
// with the same credentials as the write path.
builder.Services.AddPromLakeQuery(builder.Configuration);
builder.Services.AddPromLakeStoreQueries(builder.Configuration);
builder.Services.AddSingleton<ITenantResolver>(sp =>
{
    var directory = sp.GetRequiredService<TenantDirectory>();
    return TenantResolver.From(context => directory.Authenticate(context.Request.Headers.Authorization)?.Id);
});

var app = builder.Build();

var tenants = app.Services.GetRequiredService<TenantDirectory>();
if (!app.Environment.IsDevelopment() && tenants.AcceptsDevelopmentCredential())
{
    throw new InvalidOperationException(
        $"refusing to start in the {app.Environment.EnvironmentName} environment: a tenant accepts the documented development credential dev/dev. "
        + "Create a real credential with `PromLake.Server credential create` and remove the dev one.");
}

if (tenants.Tenants.Count == 0)
{
    throw new InvalidOperationException(
        "no tenants are configured (PromLake:Tenants): create a credential with `PromLake.Server credential create --tenant <id> --basic <user>`, "
        + "or run with ASPNETCORE_ENVIRONMENT=Development for the dev tenant");
}

// Resolve the endpoint now so configuration errors stop the start-up, not the first request.
var write = app.Services.GetRequiredService<RemoteWriteEndpoint>();
app.MapPost("/api/v1/write", write.HandleAsync);
app.MapPromLakeQueryApi();
app.MapGet("/-/healthy", () => Results.Text("PromLake is Healthy.\n"));
app.MapGet("/-/ready", () => Results.Text("PromLake is Ready.\n"));
app.MapGet("/metrics", async context =>
{
    context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
    await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
});

app.Logger.LogInformation("PromLake standalone server: {Tenants} tenant(s), {Shards} shard(s)", tenants.Tenants.Count,
    app.Services.GetRequiredService<ILogPublisher>().ShardCount);
await app.RunAsync();
return 0;

static TenantRetention RetentionOf(TenantDirectory tenants) =>
    new(tenants.Defaults.RetentionDays, tenants.Tenants.ToDictionary(t => t.Key, t => t.Value.Limits.RetentionDays));
