using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PromLake.Query.Http;
using PromLake.Query.RemoteRead;

namespace PromLake.Functions;

/// <summary>
/// The Prometheus HTTP API and remote read: one anonymous trigger per route of <see cref="QueryApiRoutes.All"/>,
/// with the same path and methods (host.json's routePrefix is ""), each handing the request to its endpoint as
/// <see cref="RemoteWriteFunction"/> does. Tenants are authenticated by the endpoints with the write path's credentials.
/// </summary>
public sealed class QueryApiFunctions(
    InstantQueryEndpoint query,
    RangeQueryEndpoint queryRange,
    SeriesEndpoint series,
    LabelNamesEndpoint labels,
    LabelValuesEndpoint labelValues,
    MetadataEndpoint metadata,
    QueryExemplarsEndpoint queryExemplars,
    BuildInfoEndpoint buildInfo,
    RulesEndpoint rules,
    RemoteReadEndpoint remoteRead)
{
    [Function("Query")]
    public Task<IActionResult> QueryAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/v1/query")] HttpRequest req) => Handle(query.HandleAsync, req);

    [Function("QueryRange")]
    public Task<IActionResult> QueryRangeAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/v1/query_range")] HttpRequest req) => Handle(queryRange.HandleAsync, req);

    [Function("Series")]
    public Task<IActionResult> SeriesAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/v1/series")] HttpRequest req) => Handle(series.HandleAsync, req);

    [Function("Labels")]
    public Task<IActionResult> LabelsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/v1/labels")] HttpRequest req) => Handle(labels.HandleAsync, req);

    [Function("LabelValues")]
    public Task<IActionResult> LabelValuesAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/label/{" + LabelValuesEndpoint.NameRouteValue + "}/values")] HttpRequest req) =>
        Handle(labelValues.HandleAsync, req);

    [Function("Metadata")]
    public Task<IActionResult> MetadataAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/metadata")] HttpRequest req) => Handle(metadata.HandleAsync, req);

    [Function("QueryExemplars")]
    public Task<IActionResult> QueryExemplarsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/v1/query_exemplars")] HttpRequest req) => Handle(queryExemplars.HandleAsync, req);

    [Function("BuildInfo")]
    public Task<IActionResult> BuildInfoAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/status/buildinfo")] HttpRequest req) => Handle(buildInfo.HandleAsync, req);

    [Function("Rules")]
    public Task<IActionResult> RulesAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/rules")] HttpRequest req) => Handle(rules.HandleAsync, req);

    [Function("RemoteRead")]
    public Task<IActionResult> RemoteReadAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/read")] HttpRequest req) => Handle(remoteRead.HandleAsync, req);

    // The endpoint writes status, headers and body to HttpContext.Response itself; EmptyResult leaves them as they are.
    private static async Task<IActionResult> Handle(Func<HttpContext, Task> endpoint, HttpRequest req)
    {
        await endpoint(req.HttpContext);
        return new EmptyResult();
    }
}
