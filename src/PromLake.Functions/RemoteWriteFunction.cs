using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PromLake.Ingest;

namespace PromLake.Functions;

/// <summary>Prometheus remote-write trigger; the work is done by <see cref="RemoteWriteEndpoint"/>.</summary>
public sealed class RemoteWriteFunction(RemoteWriteEndpoint endpoint)
{
    // Anonymous: PromLake authenticates tenants itself, so a Functions key would be a second,
    // Prometheus-unfriendly secret. The route is "api/v1/write" with host.json's routePrefix ""
    // so the URL matches the standalone server.
    [Function("RemoteWrite")]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/write")] HttpRequest req)
    {
        await endpoint.HandleAsync(req.HttpContext);

        // The endpoint has already written status, headers and body to HttpContext.Response.
        // With ASP.NET Core integration the worker executes a returned IActionResult against that
        // same HttpContext; EmptyResult does nothing, so the handler's response is sent as is.
        return new EmptyResult();
    }
}
