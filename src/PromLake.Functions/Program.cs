using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromLake.Ingest;
using PromLake.Log;

// Thin host: the Functions worker only adapts triggers to PromLake.Ingest, so the serverless
// and standalone (PromLake.Server) deployments run the same code paths.
var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: triggers receive the real HttpContext, so the shared endpoint can
// read the request body as a stream and write the response itself, as it does in PromLake.Server.
builder.ConfigureFunctionsWebApplication();

// Until the Event Hubs adapter lands, the app logs to the instance's local disk (PromLake:Log:Directory),
// which is durable per instance only; Azure deployments need the Event Hubs log.
builder.Services.AddPromLakeLocalLog(builder.Configuration);
builder.Services.AddPromLakeIngest(builder.Configuration);

builder.Build().Run();
