using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using PromLake.Functions;

// Thin host: the Functions worker only adapts triggers to PromLake.Ingest, PromLake.Query and
// PromLake.Storage, so the serverless and standalone (PromLake.Server) deployments run the same code paths.
var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: triggers receive the real HttpContext, so the shared endpoints can
// read the request body as a stream and write the response themselves, as they do in PromLake.Server.
builder.ConfigureFunctionsWebApplication();

builder.Services.AddPromLakeFunctions(builder.Configuration);

builder.Build().Run();
