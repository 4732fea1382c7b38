using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromLake.Ingest;
using PromLake.Log;
using PromLake.Log.EventHubs;

// Thin host: the Functions worker only adapts triggers to PromLake.Ingest, so the serverless
// and standalone (PromLake.Server) deployments run the same code paths.
var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: triggers receive the real HttpContext, so the shared endpoint can
// read the request body as a stream and write the response itself, as it does in PromLake.Server.
builder.ConfigureFunctionsWebApplication();

// In Azure the ingest log is Event Hubs (PromLake:EventHubs, managed identity). Without it the app
// falls back to the local file log, which is durable per instance only: for local runs, not Azure.
if (builder.Configuration.HasEventHubsLog())
{
    builder.Services.AddPromLakeEventHubsLog(builder.Configuration);
}
else
{
    builder.Services.AddPromLakeLocalLog(builder.Configuration);
}
builder.Services.AddPromLakeIngest(builder.Configuration);

builder.Build().Run();
